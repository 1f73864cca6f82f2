// How a `box run` process ends: a time limit, SIGTERM and SIGINT end it
// within a bounded time whatever the box is doing (sleeping in the host,
// blocked on stdin, stuck in a host call), and a signal sent to the process
// the user started reaches the box through node_modules/.bin/box.
//
// Every case here mostly waits on its own child processes (a time limit, a
// pause before a signal), so the cases run concurrently: the file holds its
// test worker about as long as its longest case instead of their sum. Each
// case has its own box files and children; the bounds are as generous as they
// were when the cases ran one after another.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess } from './cli-harness.ts';
import { spawned } from '../test/spawned.ts';

const root = new URL('../../../', import.meta.url).pathname;
const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;
/** pnpm's shim, as `pnpm exec box` and node_modules/.bin/box start it */
const shim = join(root, 'node_modules/.bin/box');

let work: string;
const boxes: Record<string, string> = {};
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'box-lifecycle-'));
  // linked in this process (cli-harness.ts): the runs below are what is tested
  // (here, before the cases: they run concurrently, and the harness swaps the process's console while it links)
  for (const [name, program] of [['sleep', 'conformance/programs/sleep.wasm'], ['cat', 'conformance/programs/cat.wasm'], ['hello', 'examples/hello/hello.wasm']]) {
    boxes[name!] = join(work, `${name}.box.wasm`);
    const r = await cliInProcess('box-link', ['-o', boxes[name!]!, join(root, program!)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
  mkdirSync(join(work, 'dir'));
  writeFileSync(join(work, 'dir/x.txt'), 'x\n');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ended { status: number; stdout: string; stderr: string; ms: number }

/**
 * Starts `command`, waits until its stdout shows `ready`, sends `signal` if
 * given, and returns the status a shell would report (128 + n for a signal)
 * and how long it took from then on.
 */
async function start(command: string[], ready: string, signal?: NodeJS.Signals, stdin = '', pause = 0): Promise<Ended> {
  const child = spawn(command[0]!, command.slice(1), { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
  // stdin stays open: a box that reads it past `stdin` blocks.
  child.stdin.write(stdin);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // A process that ends before it is ready (a limit reached during a slow start) ends the wait
  // too: the test then fails on its status and output, not on vitest's time limit a minute later.
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  await Promise.race([closed, new Promise<void>((resolve) => child.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.includes(ready)) resolve();
  }))]);
  if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
  const from = performance.now();
  if (signal) child.kill(signal);
  // Past this the box was not ended at all: the sleeps are 30 s.
  const bound = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const [code, sig] = await closed;
  clearTimeout(bound);
  child.stdin.destroy();
  return { status: code ?? 128 + constants.signals[sig!], stdout, stderr, ms: performance.now() - from };
}

const box = (...args: string[]) => [process.execPath, bin('box'), 'run', ...args];

describe.concurrent('box run ends a blocked box', () => {
  it('at its time limit, asleep in poll_oneoff or blocked on a stdin that never closes (137)', async ({ expect }) => {
    // The limit counts from the start of the run (the box's thread, its compile): 1 s ran out before
    // the box printed anything with two of them starting at load 12 on a 2-core PVM guest.
    const [asleep, reading] = await Promise.all([
      start(box('--timeout', '5', boxes.sleep!, '30'), 'sleeping\n'),
      start(box('--timeout', '5', boxes.cat!), 'first\n', undefined, 'first\n'),
    ]);
    for (const ended of [asleep, reading]) {
      expect(ended).toMatchObject({ status: 137, stderr: 'box run: time limit of 5s reached\n' });
      expect(ended.stdout, 'printed before the limit').toBe(ended === asleep ? 'sleeping\n' : 'first\n');
      expect(ended.ms).toBeLessThan(20_000);
    }
  });

  it('on SIGTERM (143) and SIGINT (130), asleep or blocked on stdin', async ({ expect }) => {
    const ended = await Promise.all([
      start(box(boxes.sleep!, '30'), 'sleeping\n', 'SIGTERM'),
      start(box(boxes.sleep!, '30'), 'sleeping\n', 'SIGINT'),
      start(box(boxes.cat!), 'first\n', 'SIGTERM', 'first\n'),
      start(box(boxes.cat!), 'first\n', 'SIGINT', 'first\n'),
    ]);
    expect(ended.map((e) => e.status)).toEqual([143, 130, 143, 130]);
    for (const e of ended) expect(e.ms).toBeLessThan(20_000);
  });

  it('stuck in a host call no thread can be interrupted in: by a signal of the same status', async ({ expect }) => {
    // A box writing to a stdout pipe nobody reads blocks in write(2) inside the host: worker.terminate()
    // cannot reach it there, so box run ends its own process by the signal whose status it reports.
    // (Host mounts used to give another such call, node:wasi's lock after a set-times EINVAL; the
    // runtime's own host-directory driver has none.)
    const stuck = async (args: string[], signal?: NodeJS.Signals): Promise<Ended> => {
      const child = spawn(process.execPath, [bin('box'), 'run', ...args, boxes.cat!], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdout.pause(); // never read: the pipe fills and the box's write blocks
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // the box stops reading once stdout is full, so this write is still pending when the box ends: EPIPE, expected
      child.stdin.on('error', () => {});
      child.stdin.write(Buffer.alloc(1 << 20, 0x61));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const from = performance.now();
      if (signal) child.kill(signal);
      const bound = setTimeout(() => child.kill('SIGKILL'), 25_000);
      const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
      clearTimeout(bound);
      child.stdin.destroy();
      child.stdout.destroy();
      return { status: code ?? 128 + constants.signals[sig!], stdout: '', stderr, ms: performance.now() - from };
    };
    const ended = await Promise.all([stuck(['--timeout', '1']), stuck([], 'SIGTERM')]);
    expect(ended.map((e) => e.status)).toEqual([137, 143]);
    expect(ended[0]!.stderr).toBe('box run: time limit of 1s reached\n');
    for (const e of ended) expect(e.ms).toBeLessThan(20_000);
  });
});

describe.concurrent('box run after the box has finished', () => {
  it('reports the box\'s own outcome when the CLI reads its thread\'s messages late (no "internal error")', async ({ expect }) => {
    // Under load the CLI's thread may read the box's reply late. The box's thread used to evaluate the
    // whole CLI bundle after replying, and one module there failed on a worker's argv: when both were
    // waiting, that error was read first (exit 125, "internal error: The \"path\" argument ..."). Here
    // the CLI's thread is held past the end of the box, so both are always waiting: blocked in
    // Atomics.wait rather than spinning, which holds its event loop the same 3 s (no message is read)
    // without burning a core the box's own thread and the other cases need meanwhile.
    const out = join(work, 'late.out');
    writeFileSync(out, '');
    const script = `
      import { readFileSync } from 'node:fs';
      const { main } = await import(${JSON.stringify(new URL('../dist/cli.js', import.meta.url).href)});
      const running = main('box', ['run', process.argv[1], '1']);
      while (!readFileSync(process.argv[2], 'utf8').includes('sleeping')) await new Promise((r) => setTimeout(r, 5));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
      console.error('exit ' + await running);`;
    // spawned, not spawnSync: the cases beside this one read their children meanwhile
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script, boxes.sleep!, out], {
      stdio: ['ignore', openSync(out, 'a'), 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
    await new Promise((resolve) => child.once('close', resolve));
    expect({ stderr, stdout: readFileSync(out, 'utf8') }).toEqual({ stderr: 'exit 0\n', stdout: 'sleeping\nawake\n' });
  });
});

/** The pids of processes whose command line names `path`. */
function processesNaming(path: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(path);
    } catch {
      return false; // gone meanwhile
    }
  }).map(Number);
}

describe.runIf(process.platform === 'linux')('box as pnpm installs it (node_modules/.bin/box)', { concurrent: true }, () => {
  it('runs the box in the process the user started: a signal to it ends the box (143, 130)', async ({ expect }) => {
    await Promise.all(([['SIGTERM', 143], ['SIGINT', 130]] as const).map(async ([signal, status]) => {
      // A box file of its own, to find any process still running it afterwards.
      const own = join(work, `sleep-${signal}.box.wasm`);
      writeFileSync(own, readFileSync(boxes.sleep!));
      const ended = await start([shim, 'run', own, '30'], 'sleeping\n', signal);
      expect(ended.status).toBe(status);
      // The shell launcher of pnpm's node shim died of the signal; the real node ran on at full speed.
      expect(processesNaming(own)).toEqual([]);
    }));
  });

  it('leaves the program\'s arguments to the program: --env-file is box run\'s, not Node\'s', async ({ expect }) => {
    writeFileSync(join(work, 'vars'), 'GREETING=from the file\n');
    const r = await spawned(shim, ['run', '--env-file', 'vars', boxes.hello!], work);
    expect(r.stdout).toMatch(/^GREETING=from the file$/m);
    expect(r.stderr).not.toMatch(/not found/);
  });
});
