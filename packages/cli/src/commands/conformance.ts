import { formatSummary, runSuite, setChildCommand } from '@marcotte/conformance';
import { flag, parseArgs, UsageError, value, type OptionSpec } from '../args.ts';

export const CONFORMANCE_HELP = `Usage: box conformance --suite DIR [--mode static|dynamic|both] [--json OUT]

Runs a folder of WASI tests in the layout of WebAssembly/wasi-testsuite's built
tests (*.wasm with *.json specs: args, env, exit_code, stdout/stderr prefixes,
"root" or "dirs" fixtures, or "operations") as boxes, each with a timeout, and
prints a summary per folder and a last line "N passed, N failed".

Options:
  --suite DIR    the tests (searched recursively)
  --mode MODE    static (default), dynamic (the box's parts wired in JS) or both
  --json OUT     also write every result as JSON
  -h, --help     show this help

Exit status: 0 when every test passed, 1 otherwise, 2 on bad input.`;

const SPECS: OptionSpec[] = [
  { name: 'suite', value: true }, { name: 'mode', value: true }, { name: 'json', value: true }, { name: 'help', short: 'h' },
];

export async function conformanceCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('box conformance', argv, SPECS, 0);
  if (flag(args, 'help')) {
    console.log(CONFORMANCE_HELP);
    return 0;
  }
  const suite = value(args, 'suite');
  if (!suite) throw new UsageError('box conformance: --suite DIR is required (see box conformance --help)');
  const mode = value(args, 'mode') ?? 'static';
  if (mode !== 'static' && mode !== 'dynamic' && mode !== 'both') throw new UsageError(`box conformance: --mode must be static, dynamic or both, got ${JSON.stringify(mode)}`);
  // Each test runs in a child process; the bundled CLI is its own child.
  setChildCommand([process.execPath, '--no-warnings', process.argv[1]!, '__conformance-child']);
  const json = value(args, 'json');
  const result = await runSuite(suite, { mode, ...(json ? { json } : {}) });
  console.log(formatSummary(result));
  return result.failed > 0 ? 1 : 0;
}
