// The box-conformance command (`box conformance` dispatches to it when this
// package is installed): the command line over runSuite. It lives with the
// runner so that the CLI carries neither the runner nor its test harness.

import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_TIME_LIMIT_S, timeLimitMs } from '@marcotte/runtime/time-limit';
import { DEFAULT_TIMEOUT_MS, formatSummary, runSuite } from './suite.ts';

/** How the user reaches this command (through `box`), in its help and its messages. */
const COMMAND = 'box conformance';

export const CONFORMANCE_HELP = `Usage: box conformance --suite DIR [--mode static|dynamic|both] [--timeout SECONDS] [--host-mounts] [--json OUT]

Runs a folder of WASI tests in the layout of WebAssembly/wasi-testsuite's built
tests (*.wasm with *.json specs: args, env, exit_code, stdout/stderr prefixes,
"root" or "dirs" fixtures, or "operations") as boxes, each with a timeout, and
prints a summary per folder and a last line "N passed, N failed".
Provided by the @marcotte/conformance package (its box-conformance command).

Options:
  --suite DIR    the tests (searched recursively)
  --mode MODE    static (default), dynamic (a --portable box's parts wired in JS) or both
  --timeout SECONDS
                 each test's time limit (default ${DEFAULT_TIMEOUT_MS / 1000}), counted from when a child process
                 is given the test (a new child's start counts): past it the test is killed, timed out
  --host-mounts  give each test's fixture directories as host mounts (box run --dir over a
                 writable copy) instead of baking them into the box's image
  --json OUT     also write every result as JSON
  -h, --help     show this help

Exit status: 0 when every test passed, 1 otherwise, 2 on bad input.`;

/** Bad input: one line on stderr, exit 2. */
class UsageError extends Error {}

const OPTIONS = {
  suite: { type: 'string' }, mode: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'string' }, 'host-mounts': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; returns its exit code. Bad input is one line on stderr and 2, never a stack trace. */
export async function conformanceMain(argv: readonly string[]): Promise<number> {
  try {
    return await conformance(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    return 2;
  }
}

async function conformance(argv: readonly string[]): Promise<number> {
  const args = parse(argv);
  if (args.help) {
    console.log(CONFORMANCE_HELP);
    return 0;
  }
  const suite = args.suite;
  if (!suite) throw new UsageError(`${COMMAND}: --suite DIR is required (see ${COMMAND} --help)`);
  const mode = args.mode ?? 'static';
  if (mode !== 'static' && mode !== 'dynamic' && mode !== 'both') throw new UsageError(`${COMMAND}: --mode must be static, dynamic or both, got ${JSON.stringify(mode)}`);
  const timeoutMs = args.timeout === undefined ? undefined : seconds(args.timeout);
  if (args.json !== undefined) checkWritable(args.json);
  let isDir = false;
  try {
    isDir = statSync(suite).isDirectory();
  } catch {
    // said below
  }
  if (!isDir) throw new UsageError(`${COMMAND}: --suite ${suite}: no such directory`);
  const result = await runSuite(suite, { mode, json: args.json, hostMounts: args['host-mounts'], ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  console.log(formatSummary(result));
  return result.failed > 0 ? 1 : 0;
}

/** --timeout SECONDS as milliseconds, or the one line that refuses it. */
function seconds(text: string): number {
  const ms = timeLimitMs(text);
  if (ms === undefined) {
    throw new UsageError(`${COMMAND}: --timeout expects a positive number of seconds (at most ${MAX_TIME_LIMIT_S}), got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** The options, or the one line that says what is wrong with them (node:util's messages name the option in quotes). */
function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = (e as Error).message;
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    // '-h, --help' and '--suite <value>' name the option as its long form.
    const option = quoted.match(/--[\w-]+|-\w/g)?.at(-1) ?? quoted;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`${COMMAND}: unknown option ${option} (see ${COMMAND} --help)`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(`${COMMAND}: ${option} ${message.includes('does not take an argument') ? 'takes no value' : 'needs a value'} (see ${COMMAND} --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`${COMMAND}: unexpected argument ${JSON.stringify(quoted)} (see ${COMMAND} --help)`);
    throw e;
  }
}

/** --json OUT is checked before any test runs: a run that could not write its results says so at once. */
function checkWritable(path: string): void {
  let problem: string | undefined;
  try {
    if (!statSync(dirname(resolve(path))).isDirectory()) problem = 'a parent is not a directory';
    else accessSync(dirname(resolve(path)), constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problem = code === 'ENOENT' ? 'its directory does not exist' : code === 'ENOTDIR' ? 'a parent is not a directory' : 'permission denied';
  }
  try {
    if (!problem && statSync(path).isDirectory()) problem = 'is a directory';
  } catch {
    // a new file
  }
  if (problem) throw new UsageError(`${COMMAND}: cannot write ${path}: ${problem}`);
}
