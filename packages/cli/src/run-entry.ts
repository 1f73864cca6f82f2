// `box run` in a bundle of its own (build.mjs: dist/box-run.js, one file):
// through the whole CLI's bundle a run loaded 15 of its chunks, each an ES
// module that Node resolves, reads, checks against the compile cache and
// links on its own: ~5 ms more CPU than this one file for a hello-world run
// (~60 ms), measured spawn to exit. bin/run.js takes this entry for `box
// run`, the CLI's bundle for every other command; both map errors to exit
// codes with run-cli.ts.

import { runCommand, type RunStdio } from './commands/run.ts';
import { runCli, type Command } from './run-cli.ts';

export { endProcess } from './exit.ts';

/** `box run ARGS` (argv is `run` and its arguments), as main.ts runs it. */
export async function main(program: Command, argv: readonly string[]): Promise<number> {
  return runCli(program, argv, async (_, [, ...rest]) => runCommand(rest));
}

/**
 * `box run ARGS` as main() runs it, with the box's stdio on the given host
 * fds: for the tests' in-process harness (cli-harness.ts); the CLI's own
 * lines go where console and process.stderr send them.
 */
export async function runWithStdio(argv: readonly string[], stdio: RunStdio): Promise<number> {
  return runCli('box', ['run', ...argv], async (_, [, ...rest]) => runCommand(rest, stdio));
}
