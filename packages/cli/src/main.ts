// The CLI's one entry point: dispatches to a command and turns every error
// into one readable line and the exit code DESIGN.md §5 gives it.

import { BoxFormatError } from '@marcotte/abi';
import { hasMultiMemory, MULTI_MEMORY_ADVICE } from '@marcotte/runtime/features';
import { LimitError, SignalError, StartError, TrapError } from '@marcotte/runtime/errors';
import { UsageError } from './args.ts';
import pkg from '../package.json' with { type: 'json' };
// Each command is imported when it is chosen (the bundle splits there): a run or --version
// loads neither the linker's capability modules nor the builder. The runtime is imported
// by its parts for the same reason: --version starts no box, a plain run no worker.

/** The CLI's version, from its package.json: a changeset bump reaches `box --version` and every manifest's capability versions. */
export const VERSION: string = pkg.version;

const BOX_HELP = `Usage: box COMMAND [OPTIONS]

Commands:
  build   build a box from a Dockerfile and a build context
  link    link a WASI program with capability modules into a box (same as box-link)
  run     run a box
  inspect show a box's manifest, authority and sizes
  export  write a box as an OCI image layout (--oci OUT.tar) or a WASI 0.2 component (--component OUT.wasm)
  conformance  run a wasi-testsuite-style folder of tests as boxes (the @marcotte/conformance package)
  serve   serve the browser playground (and boxes as its examples) on loopback

Options:
  -h, --help     show this help (box COMMAND --help for a command's)
  --version      print the versions of the CLI and its capabilities`;

export { BOX_HELP };

/** What `box --version` prints: the CLI's version, then each capability's (the build also writes it to dist/version.txt). */
export async function versionText(): Promise<string> {
  const { CAPABILITIES } = await import('./capabilities.ts');
  return `${[`box ${VERSION}`, ...CAPABILITIES.map((c) => `${c.name} ${c.version}`)].join('\n')}\n`;
}
export { endProcess } from './exit.ts';

type Command = 'box' | 'box-link';

async function dispatch(program: Command, argv: readonly string[]): Promise<number> {
  if (program === 'box-link') return (await import('./commands/link.ts')).linkCommand(argv);
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
      console.log(BOX_HELP);
      return command === undefined ? 2 : 0;
    case '--version':
      process.stdout.write(await versionText());
      return 0;
    case 'build':
      return (await import('./commands/build.ts')).buildCommand(rest);
    case 'link':
      return (await import('./commands/link.ts')).linkCommand(rest, 'box link');
    case 'run':
      return (await import('./commands/run.ts')).runCommand(rest);
    case 'inspect':
      return (await import('./commands/inspect.ts')).inspectCommand(rest);
    case 'export':
      return (await import('./commands/export.ts')).exportCommand(rest);
    case 'conformance':
      return (await import('./commands/conformance.ts')).conformanceCommand(rest);
    case 'serve':
      return (await import('./commands/serve.ts')).serveCommand(rest);
    default:
      throw new UsageError(`box: unknown command ${JSON.stringify(command)} (see box --help)`);
  }
}

/** Runs the CLI and returns its exit code; writes errors to stderr as one line. */
export async function main(program: Command, argv: readonly string[]): Promise<number> {
  const isRun = program === 'box' && argv[0] === 'run';
  const wantsHelp = argv.some((a) => a === '--help' || a === '-h' || a === '--version');
  // `box run` decides for itself: a --portable box runs in dynamic mode without multi-memory.
  // `box serve` runs no box in this engine: the browser's is what counts.
  const isServe = program === 'box' && argv[0] === 'serve';
  if (!wantsHelp && !isRun && !isServe && !hasMultiMemory()) {
    console.error(`${program}: ${MULTI_MEMORY_ADVICE}`);
    return 125;
  }
  try {
    return await dispatch(program, argv);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof UsageError) {
      console.error(message);
      return isRun ? 125 : 2;
    }
    const name = isRun ? 'box run' : program === 'box-link' ? 'box-link' : `box ${argv[0]}`;
    if (e instanceof StartError) {
      console.error(`${name}: ${message}`);
      return 125;
    }
    if (e instanceof SignalError) return e.exitCode;
    if (e instanceof LimitError) {
      console.error(`${name}: ${message}`);
      return 137;
    }
    if (e instanceof TrapError) {
      console.error(`${name}: ${message}`);
      return 134;
    }
    // The linker is loaded by the commands that link; its errors only matter when one was thrown.
    const { LinkError, WasmFormatError } = await import('@marcotte/linker');
    if (e instanceof LinkError || e instanceof WasmFormatError) {
      console.error(`${name}: ${message}`);
      return 2;
    }
    if (e instanceof BoxFormatError) {
      // a damaged box (manifest or parts) that a command met past its own checks: bad input
      console.error(`${name}: ${message}`);
      return isRun ? 125 : 2;
    }
    console.error(`${name}: internal error: ${message}`);
    return isRun ? 125 : 1;
  }
}
