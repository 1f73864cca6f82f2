// box-link's validating worker, started before the CLI's bundle loads: bin/run.js
// imports this small module first (its own entry, dist/link-early.js) and calls
// startEarly with the command line. A Node worker takes 40-70 ms to start and
// then touches the pages of its copy of the program (validate-aside.ts): begun
// here, that overlaps the loading of the linker and the capabilities instead
// of following it, and a large program's validation is in that much sooner.
// The command takes the worker (takeEarly) for the program it was started for;
// anything else (a small program, a usage error, --help) never starts one or
// ends it unasked.

import { flag, parseArgs, type OptionSpec } from './args.ts';
import { statSync } from 'node:fs';
import { SINGLE_MEMORY_SPECS } from './single-memory.ts';
import { ASIDE_MIN_BYTES, workerAhead, type Ahead } from './validate-aside.ts';
import { VFS_LIMIT_SPECS } from './vfs-limits.ts';

export const LINK_SPECS: OptionSpec[] = [
  { name: 'fs' },
  { name: 'image', value: true },
  { name: 'workdir', value: true },
  { name: 'mount-point', value: true, multiple: true },
  { name: 'proc' },
  { name: 'net' },
  { name: 'listen', value: true, multiple: true },
  { name: 'clock', value: true },
  { name: 'random', value: true },
  { name: 'env', value: true, multiple: true },
  { name: 'strip' },
  { name: 'sealed' },
  { name: 'portable' },
  { name: 'trace' },
  { name: 'deny', value: true, multiple: true },
  { name: 'o', short: 'o', value: true },
  { name: 'help', short: 'h' },
  ...VFS_LIMIT_SPECS,
  ...SINGLE_MEMORY_SPECS,
];

let early: { path: string; ahead: Ahead } | undefined;

/**
 * Starts the validating worker now when `argv` (box-link's arguments) names one
 * program that is a regular file of at least ASIDE_MIN_BYTES; does nothing
 * otherwise, and never fails: the command reports bad arguments itself.
 */
export function startEarly(argv: readonly string[]): void {
  try {
    const args = parseArgs('box-link', argv, LINK_SPECS, Infinity);
    const path = args.positionals[0];
    if (flag(args, 'help') || args.positionals.length !== 1 || path === undefined) return;
    const stat = statSync(path);
    if (stat.isFile() && stat.size >= ASIDE_MIN_BYTES) early = { path, ahead: workerAhead() };
  } catch {
    // bad arguments, a missing file: the command says so
  }
}

/** The worker started for the program at `path` (handed over once), or undefined. */
export function takeEarly(path: string): Ahead | undefined {
  const taken = early;
  early = undefined;
  if (taken && taken.path !== path) {
    taken.ahead.drop();
    return undefined;
  }
  return taken?.ahead;
}
