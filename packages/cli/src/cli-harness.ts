// The built CLI (dist/cli.js, as users get it) called in the test's own
// process: for the commands whose process boundary is not what a test
// checks (box-link, inspect, export, build, --help, bad flags), a spawn per
// case cost a Node start and a bundle load each (cli.test.ts alone made
// ~70 of them). `box run` stays spawned wherever it is tested: the box
// writes to the process's real stdio fds, and signals, exit statuses and
// pipes belong to a process.

import { format } from 'node:util';

export interface Ran { status: number; stdout: string; stderr: string }

type Main = (program: 'box' | 'box-link', argv: readonly string[]) => Promise<number>;

const bundle = new URL('../dist/cli.js', import.meta.url).href;

// As bin/run.js does for the real CLI: node:wasi's experimental-feature notice is not the command's output.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
  (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
let main: Main | undefined;

/**
 * Runs `program argv` through the bundle's main(), with what it prints on
 * stdout and stderr captured (console and direct stream writes alike), and
 * returns the exit code the process would have ended with.
 */
export async function cliInProcess(program: 'box' | 'box-link', argv: readonly string[]): Promise<Ran> {
  main ??= ((await import(bundle)) as { main: Main }).main;
  const out: string[] = [];
  const err: string[] = [];
  const saved = {
    log: console.log, info: console.info, error: console.error, warn: console.warn,
    stdout: process.stdout.write, stderr: process.stderr.write,
  };
  const into = (sink: string[]) => (...a: unknown[]) => void sink.push(`${format(...a)}\n`);
  const stream = (sink: string[]) => ((chunk: string | Uint8Array) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  console.log = console.info = into(out);
  console.error = console.warn = into(err);
  process.stdout.write = stream(out);
  process.stderr.write = stream(err);
  try {
    const status = await main(program, argv);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    Object.assign(console, { log: saved.log, info: saved.info, error: saved.error, warn: saved.warn });
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
}
