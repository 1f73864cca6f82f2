import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { link } from '@marcotte/linker';
import { runBox, type RunOptions } from './node.ts';
import { trapFrames } from './trap-frames.ts';
import { StartError } from './errors.ts';

const dirDump = readFileSync(new URL('../../../conformance/programs/dir_dump.wasm', import.meta.url));

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'box-runtime-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Runs `fn` with stdout and stderr going to files; returns what they got. */
async function captured(fn: (stdout: number, stderr: number) => Promise<number>) {
  const out = join(work, 'stdout'), err = join(work, 'stderr');
  const o = openSync(out, 'w'), e = openSync(err, 'w');
  let exitCode: number;
  try {
    exitCode = await fn(o, e);
  } finally {
    closeSync(o);
    closeSync(e);
  }
  return { exitCode, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
}

function hostTree(): string {
  const root = join(work, 'tree');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'b.txt'), 'bee\n');
  writeFileSync(join(root, 'a.txt'), 'ay\n');
  writeFileSync(join(root, 'sub', 'c.txt'), 'sea\n');
  return root;
}

describe('runBox on node:wasi', () => {
  it('lists, reads and writes a host directory through the kernel host driver', async () => {
    const root = hostTree();
    const box = link(dirDump, { capabilities: [kernel, proc], entrypoint: 'dir_dump', args: [], env: [] }).bytes;
    const options: RunOptions = { args: ['/data'], env: { OUT: 'out.txt' }, dirs: [['/data', root]] };
    const run = await captured(async (stdout, stderr) => (await runBox(box, { ...options, stdout, stderr })).exitCode);
    expect(run).toEqual({
      exitCode: 0,
      stdout: '/data/a.txt: ay\n/data/b.txt: bee\n/data/sub/\n/data/sub/c.txt: sea\n',
      stderr: '',
    });
    expect(readFileSync(join(root, 'out.txt'), 'utf8')).toBe('written from a box\n');
  });

  it('behaves as the bare program does under node:wasi (the reference)', async () => {
    const root = hostTree();
    const box = link(dirDump, { capabilities: [kernel], entrypoint: 'dir_dump', args: [], env: [] }).bytes;
    const boxed = await captured(async (stdout, stderr) =>
      (await runBox(box, { args: ['/data', '/missing'], dirs: [['/data', root]], stdout, stderr })).exitCode);
    const bare = await captured(async (stdout, stderr) => {
      const wasi = new WASI({ version: 'preview1', args: ['dir_dump', '/data', '/missing'], env: {}, preopens: { '/data': root }, returnOnExit: true, stdout, stderr });
      const instance = await WebAssembly.instantiate(await WebAssembly.compile(dirDump), wasi.getImportObject() as WebAssembly.Imports);
      return wasi.start(instance);
    });
    expect(boxed).toEqual(bare);
    expect(boxed.exitCode).toBe(1);
    expect(boxed.stderr).toMatch(/\/missing/);
  });

  it('gives argv[0] as the entrypoint, run-time args over baked ones, and baked env under run-time env', async () => {
    const box = link(dirDump, {
      capabilities: [kernel, proc], entrypoint: 'dir_dump', args: ['/nothing-here'], env: ['OUT=baked.txt'],
    }).bytes;
    const root = hostTree();
    // baked args apply when none are given at run time
    const baked = await captured(async (stdout, stderr) => (await runBox(box, { dirs: [['/data', root]], stdout, stderr })).exitCode);
    expect(baked.exitCode).toBe(1);
    expect(baked.stderr).toMatch(/\/nothing-here/);
    // run-time args replace them; run-time env overrides the baked value
    const run = await captured(async (stdout, stderr) =>
      (await runBox(box, { args: ['/data'], env: { OUT: 'run.txt' }, dirs: [['/data', root]], stdout, stderr })).exitCode);
    expect(run.exitCode).toBe(0);
    expect(readFileSync(join(root, 'run.txt'), 'utf8')).toBe('written from a box\n');
  });

  it('refuses a file that is not a box', async () => {
    await expect(runBox(dirDump)).rejects.toThrow(StartError);
    await expect(runBox(dirDump)).rejects.toThrow(/not a box/);
    await expect(runBox(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not a WebAssembly module/);
  });
});

describe('trap messages', () => {
  it('name the innermost frames, and a function without a name by its index in the box', () => {
    const e = new Error('unreachable');
    e.stack = 'RuntimeError: unreachable\n    at wasm://wasm/f2efd536:wasm-function[812]:0x23\n'
      + '    at vfs:path_open (wasm://wasm/f2efd536:wasm-function[90]:0x27)\n    at kernel:path_open (wasm://wasm/f2efd536:wasm-function[40]:0x99)\n'
      + '    at main (wasm://wasm/f2efd536:wasm-function[12]:0x10)\n    at box:_start (wasm://wasm/f2efd536:wasm-function[2]:0x1)\n    at run (file:///x.js:1:1)';
    expect(trapFrames(e)).toBe(' in function 812 <- vfs:path_open <- kernel:path_open <- main');
    e.stack = 'RuntimeError: unreachable\n    at run (file:///x.js:1:1)';
    expect(trapFrames(e)).toBe('');
  });
});

describe('runBoxIsolated (a worker thread)', () => {
  it('runs a box to its exit code and ends one that never stops at its time limit', async () => {
    const { runBoxIsolated, LimitError } = await import('./isolated.ts');
    const root = hostTree();
    const box = link(dirDump, { capabilities: [kernel], entrypoint: 'dir_dump', args: [], env: [] }).bytes;
    const run = await captured(async (stdout, stderr) =>
      (await runBoxIsolated(box, { args: ['/data', '/missing'], dirs: [['/data', root]], stdout, stderr })).exitCode);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('/data/a.txt: ay\n/data/b.txt: bee\n/data/sub/\n/data/sub/c.txt: sea\n');
    const spin = link(readFileSync(new URL('../../../conformance/programs/spin.wasm', import.meta.url)), {
      capabilities: [kernel], entrypoint: 'spin', args: [], env: [],
    }).bytes;
    const started = performance.now();
    await expect(captured((stdout) => runBoxIsolated(spin, { stdout, timeoutMs: 300 }).then((r) => r.exitCode))).rejects.toThrow(LimitError);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('takes stdin as text and gives stdout and stderr to callbacks and streams, in order', async () => {
    const { runBoxIsolated } = await import('./isolated.ts');
    const { Writable } = await import('node:stream');
    const cat = link(readFileSync(new URL('../../../conformance/programs/cat.wasm', import.meta.url)), {
      capabilities: [kernel, proc], entrypoint: 'cat', args: [], env: [],
    }).bytes;
    const chunks: string[] = [];
    const result = await runBoxIsolated(cat, { stdin: 'one\ntwo\n'.repeat(200), stdout: (b) => chunks.push(new TextDecoder().decode(b)), args: ['3'] });
    expect(result.exitCode).toBe(3);
    expect(chunks.join('')).toBe('one\ntwo\n'.repeat(200));
    expect(chunks.length).toBeGreaterThan(1); // cat copies 256 bytes at a time: every write arrives
    const box = link(dirDump, { capabilities: [kernel], entrypoint: 'dir_dump', args: [], env: [] }).bytes;
    const root = hostTree();
    let err = '';
    const stream = new Writable({ write(chunk, _enc, done) { err += chunk.toString(); done(); } });
    const out: string[] = [];
    const listed = await runBoxIsolated(box, { args: ['/missing', '/data'], dirs: [['/data', root]], stderr: stream, stdout: (b) => out.push(new TextDecoder().decode(b)), stdin: new Uint8Array(0) });
    expect(listed.exitCode).toBe(1);
    expect(err).toMatch(/^dir_dump: \/missing: /);
    expect(out.join('')).toBe('/data/a.txt: ay\n/data/b.txt: bee\n/data/sub/\n/data/sub/c.txt: sea\n');
  });
});

describe('dynamic mode (the parts wired in JS)', () => {
  const determinism = readFileSync(new URL('../../../conformance/programs/determinism.wasm', import.meta.url));
  const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
  const both = async (box: Uint8Array, options: RunOptions) => {
    const run = (mode: 'static' | 'dynamic') => captured(async (stdout, stderr) => (await runBox(box, { ...options, mode, stdout, stderr })).exitCode);
    return [await run('static'), await run('dynamic')] as const;
  };

  it('gives the same output as static mode: host directories, argv, env', async () => {
    const root = hostTree();
    const box = link(hello, { capabilities: [kernel, proc], entrypoint: 'hello', args: ['d'], env: ['GREETING=Hoi'], portable: true }).bytes;
    const [s, d] = await both(box, { args: ['x'], env: { HELLO_DIR: '/data' }, dirs: [['/data', root]] });
    expect(d).toEqual(s);
    expect(s.stdout).toMatch(/^Hoi from inside a box!\nargv\[0\] = hello\nargv\[1\] = x\n/);
  });

  it('gives the same bytes as static mode for a sealed, fixed-clock, seeded box with its own filesystem', async () => {
    const { clock } = await import('@marcotte/clock');
    const { vfs } = await import('@marcotte/vfs');
    const box = link(determinism, {
      capabilities: [kernel, clock, vfs, proc], entrypoint: 'determinism', args: [], env: [],
      clock: 'fixed:2000-01-01T00:00:00Z', random: 'seed:42', sealed: true, image: [], portable: true,
    }).bytes;
    const [s, d] = await both(box, {});
    expect(d).toEqual(s);
    expect(s.stdout).toMatch(/^start: realtime 946684800\./);
  });

  it('refuses dynamic mode for a box without its parts', async () => {
    const box = link(hello, { capabilities: [kernel], entrypoint: 'hello', args: [], env: [] }).bytes;
    await expect(runBox(box, { mode: 'dynamic' })).rejects.toThrow(/needs a portable box \(link it with --portable\)/);
  });
});
