// `box conformance` is the box-conformance command of the @marcotte/conformance
// package: a test tool installed beside the CLI when wanted, as cargo and git
// run the subcommands installed beside them, not carried in the CLI. Found
// as Node finds a package from the CLI's own files (the same project's
// node_modules, or beside a global install), run as a process of its own
// with this command's arguments, and its exit status is this command's.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../args.ts';

const PACKAGE = '@marcotte/conformance';
const BIN = 'box-conformance';

export const NOT_INSTALLED = `box conformance: needs ${PACKAGE} (its ${BIN} command), which is not installed: npm install ${PACKAGE} beside @marcotte/cli`;

/** The runner's entry file (the package's `bin`), or undefined when the package cannot be found from here. */
function findRunner(): string | undefined {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`);
  } catch {
    return undefined;
  }
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: Record<string, string> }).bin?.[BIN];
  return bin === undefined ? undefined : join(dirname(manifest), bin);
}

export async function conformanceCommand(argv: readonly string[]): Promise<number> {
  const runner = findRunner();
  if (!runner) throw new UsageError(NOT_INSTALLED);
  // On this Node (the CLI's: multi-memory); --no-warnings as the runner's own children get it.
  const child = spawn(process.execPath, ['--no-warnings', runner, ...argv], { stdio: 'inherit' });
  // A signal sent to `box` alone reaches the runner too, which ends its test processes.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  } finally {
    for (const s of signals) process.off(s, forward);
  }
}
