import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { link } from '@marcotte/linker';
import { flag, keyValue, parseArgs, UsageError, value, values, type OptionSpec } from '../args.ts';
import { CAPABILITIES } from '../capabilities.ts';
import { readInput } from '../io.ts';

export const LINK_HELP = `Usage: box-link [OPTIONS] APP.wasm [-- ARGS...]

Links a WASI preview1 program with capability modules into one .box.wasm.

Options:
  --proc           virtualize argv and environment (implied by --env and ARGS)
  --env K=V        bake an environment variable (repeatable; run-time -e overrides)
  --strip          drop every custom section but the manifest (names, debug info)
  -o FILE          output file (default: APP with .box.wasm in place of .wasm)
  -h, --help       show this help

ARGS after -- become the box's default arguments (replaced by run-time args).
The kernel is always linked: it owns the fd table and serves stdio and host
directories (box run --dir). Calls no capability serves pass through to the host.`;

const SPECS: OptionSpec[] = [
  { name: 'proc' },
  { name: 'env', value: true, multiple: true },
  { name: 'strip' },
  { name: 'o', short: 'o', value: true },
  { name: 'help', short: 'h' },
];

/** Options DESIGN.md §5 defines that this version does not implement yet: refused by name. */
const NOT_YET: OptionSpec[] = [
  { name: 'fs' }, { name: 'net' }, { name: 'clock', value: true }, { name: 'random', value: true },
  { name: 'deny', value: true, multiple: true }, { name: 'image', value: true }, { name: 'workdir', value: true },
  { name: 'mount-point', value: true, multiple: true }, { name: 'listen', value: true, multiple: true },
  { name: 'sealed' }, { name: 'portable' }, { name: 'trace' },
];

export async function linkCommand(argv: readonly string[], command = 'box-link'): Promise<number> {
  const args = parseArgs(command, argv, [...SPECS, ...NOT_YET], Infinity);
  if (flag(args, 'help')) {
    console.log(LINK_HELP);
    return 0;
  }
  const pending = NOT_YET.find((o) => args.options.has(o.name));
  if (pending) throw new UsageError(`${command}: --${pending.name} is not available in this version`);
  if (args.positionals.length !== 1) {
    throw new UsageError(`${command}: expected one APP.wasm, got ${args.positionals.length} (see ${command} --help)`);
  }
  const appPath = args.positionals[0]!;
  const env = values(args, 'env').map((kv) => keyValue(command, '--env', kv));
  const wantProc = flag(args, 'proc') || env.length > 0 || args.rest.length > 0;
  const capabilities = CAPABILITIES.filter((c) => c.name === 'kernel' || (c.name === 'proc' && wantProc));
  const program = await readInput(command, appPath);
  const { bytes } = link(program, {
    capabilities, entrypoint: basename(appPath), args: args.rest, env, strip: flag(args, 'strip'), programName: appPath,
  });
  const out = value(args, 'o') ?? appPath.replace(/(\.wasm)?$/, '.box.wasm');
  await writeFile(out, bytes);
  return 0;
}
