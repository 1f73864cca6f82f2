// The CLI's entry point: dispatches to a command; run-cli.ts turns every error
// into one readable line and the exit code DESIGN.md §5 gives it. (`box run`
// started from bin/ takes run-entry.ts, a bundle of its own.)

import { UsageError } from './args.ts';
import { runCli, type Command } from './run-cli.ts';
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
  return runCli(program, argv, dispatch);
}
