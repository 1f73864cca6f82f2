// box-link / box build --single-memory through the built CLI: the same
// output as the multi-memory box (hello, vfs-heavy conformance programs),
// box run's snapshot, trace and --memory on the one memory, the attack
// program ending with a trap's exit code and no canary, and a Node without
// multi-memory running it in static mode.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '@marcotte/abi';
import { cliInProcess as inProcess } from './cli-harness.ts';

const root = new URL('../../../', import.meta.url).pathname;
const hello = join(root, 'examples/hello/hello.wasm');
const attack = join(root, 'packages/linker/test/fixtures/region_attack.wasm');
const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;
const CANARY = 'CANARY-5be1-in-the-vfs';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-single-'));
  mkdirSync(join(work, 'image'));
  writeFileSync(join(work, 'image/canary'), CANARY);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `box run` (on `node`), spawned: for the Node without multi-memory. Linking, inspecting and building run in-process (cli-harness.ts). */
function cli(name: 'box' | 'box-link', args: string[], node = process.execPath) {
  const r = spawnSync(node, [bin(name), ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `box run` in this process (cli-harness.ts: the box's stdio on files); cli.test.ts proves the bin's own plumbing. */
const boxRun = (args: string[]) => inProcess('box', ['run', ...args]);

/** Links `program` twice, with and without --single-memory; returns [multi, single]. */
async function both(name: string, program: string, args: string[] = []): Promise<[string, string]> {
  const multi = join(work, `${name}.multi.box.wasm`), single = join(work, `${name}.single.box.wasm`);
  expect((await inProcess('box-link', [...args, '-o', multi, program])).status).toBe(0);
  expect(await inProcess('box-link', [...args, '--single-memory', '-o', single, program])).toMatchObject({ status: 0, stderr: '' });
  return [multi, single];
}

describe('box-link --single-memory', () => {
  it('hello: the same output as the multi-memory box; box inspect says one memory, checked, and its layout', async () => {
    const [multi, single] = await both('hello', hello, ['--env', 'GREETING=Hej']);
    const data = `${join(root, 'examples/hello/data')}:/data`;
    const a = await boxRun(['--dir', data, single, 'x']);
    expect(a).toEqual(await boxRun(['--dir', data, multi, 'x']));
    expect(a.stdout).toMatch(/^Hej from inside a box!\n/);
    const inspect = (await inProcess('box', ['inspect', single])).stdout;
    expect(inspect).toMatch(/, 1 memories\n/);
    expect(inspect).toContain('single memory: capabilities laid into memory 0; the program\'s accesses are bounds-checked against its own region\n  app: 1024 MiB at 0\n  kernel: 4 MiB at 1073741824\n');
    expect(readManifest(readFileSync(single)).singleMemory?.checked).toBe(true);
  });

  it.each(['rw', 'readdir'])('the vfs conformance program %s gives the same output and exit code', async (name) => {
    const [multi, single] = await both(`fs-${name}`, join(root, `conformance/fs/${name}.wasm`), ['--fs']);
    const a = await boxRun([single]);
    expect(a).toEqual(await boxRun([multi]));
    expect(a.stdout.split('\n').length).toBeGreaterThan(5);
  });

  it('box run --commit keeps files written in one memory (the snapshot is read at the vfs\'s base)', async () => {
    const boxes = await both('state', join(root, 'conformance/programs/append_state.wasm'), ['--fs']);
    const ran = [];
    for (const [i, box] of boxes.entries()) {
      const committed = join(work, `state.committed${i}.box.wasm`);
      expect((await boxRun(['--commit', committed, box, '4'])).status).toBe(4);
      ran.push(await boxRun([committed, '6']));
    }
    const [multi, single] = ran;
    expect(single).toEqual(multi);
    expect(single).toMatchObject({ status: 6, stdout: 'run 4\nrun 6\n' });
  });

  it('box run --trace reads the trace ring at its base', async () => {
    const [, single] = await both('trace', join(root, 'conformance/fs/sync.wasm'), ['--fs', '--trace']);
    const r = await boxRun(['--trace', single]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/fd_write\(1, \d+, \d+, \d+\) = 0 \(SUCCESS\)/);
  });

  it('box run --memory bounds the program as in the multi-memory box', async () => {
    const [multi, single] = await both('grow', join(root, 'conformance/programs/grow.wasm'));
    for (const limit of ['8m', '32m']) {
      const a = await boxRun(['--memory', limit, single]);
      expect(a.status).toBe(137);
      expect(a).toEqual(await boxRun(['--memory', limit, multi]));
    }
  });

  it('refuses bad combinations in one line, exit 2', async () => {
    for (const [args, message] of [
      [['--program-memory', '8m', hello], /--program-memory is only for a --single-memory box/],
      [['--single-memory', '--program-memory', '1k', hello], /--program-memory must be from 65536/],
      [['--single-memory', '--portable', hello], /--single-memory and --portable do not go together/],
    ] as const) {
      const r = await inProcess('box-link', ['-o', join(work, 'bad.box.wasm'), ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('the program cannot read or write capability state in a single-memory box', () => {
  let box: string;
  let vfsBase: string;
  beforeAll(async () => {
    box = join(work, 'attack.box.wasm');
    expect((await inProcess('box-link', ['--image', join(work, 'image'), '--single-memory', '-o', box, attack])).status).toBe(0);
    vfsBase = String(readManifest(readFileSync(box)).singleMemory!.regions.vfs!.base);
  });

  it.each([['read'], ['write'], ['scan'], ['offset'], ['copy'], ['fill']])('%s past its memory: a trap (134), no canary', async (mode) => {
    const r = await boxRun([box, mode, vfsBase]);
    expect(r.status).toBe(134);
    expect(r.stderr).toMatch(/the box trapped: memory access out of bounds/);
    expect(r.stdout + r.stderr).not.toContain('CANARY');
  });

  it('a store into the vfs region changes nothing: the committed filesystem still has the canary', async () => {
    const committed = join(work, 'attacked.box.wasm');
    expect((await boxRun(['--commit', committed, box, 'write', String(Number(vfsBase) + 4096)])).status).toBe(134);
    expect(await boxRun([committed, 'cat', '/canary'])).toMatchObject({ status: 0, stdout: `/canary: ${CANARY}\n` });
  });

  it('grows its memory, its files survive, and the canary is still readable through the vfs', async () => {
    expect(await boxRun([box, 'grow'])).toMatchObject({ status: 0, stdout: `grew from 2 to 1026 pages\n/before: written before growing\n/after: written after growing\n/canary: ${CANARY}\n` });
  });
});

describe('box build --single-memory', () => {
  it('builds examples/hello as a single-memory box that runs as the multi-memory one', async () => {
    const single = join(work, 'built.single.box.wasm'), multi = join(work, 'built.multi.box.wasm');
    const context = join(root, 'examples/hello');
    expect((await inProcess('box', ['build', '--no-cache', '--single-memory', '-o', single, context])).status).toBe(0);
    expect((await inProcess('box', ['build', '--no-cache', '-o', multi, context])).status).toBe(0);
    expect(readManifest(readFileSync(single)).singleMemory?.regions.vfs).toBeDefined();
    const a = await boxRun([single]);
    expect(a).toEqual(await boxRun([multi]));
    expect(a.status).toBe(0);
  });
});

const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) =>
  existsSync(p) && execFileSync(p, ['-p', 'WebAssembly.validate(new Uint8Array([0,97,115,109,1,0,0,0,5,5,2,0,0,0,0]))'], { encoding: 'utf8' }).trim() === 'false');

describe.skipIf(!oldNode)('on an engine without multi-memory', () => {
  it('box run runs a single-memory box in static mode, with the output of the multi-memory box on this Node', async () => {
    const [multi, single] = await both('old', hello, ['--env', 'GREETING=Dag', '--image', join(work, 'image'), '--mount-point', '/data']);
    const data = `${join(root, 'examples/hello/data')}:/data`;
    const old = cli('box', ['run', '--dir', data, single, 'a'], oldNode);
    expect(old).toEqual(await boxRun(['--dir', data, multi, 'a']));
    expect(old.status).toBe(0);
    expect(old.stdout).toMatch(/^Dag from inside a box!\n/);
  });

  it('the vfs-heavy rw program and the attack behave there as here', async () => {
    const [multi, single] = await both('old-rw', join(root, 'conformance/fs/rw.wasm'), ['--fs']);
    expect(cli('box', ['run', single], oldNode)).toEqual(cli('box', ['run', multi]));
    const box = join(work, 'old-attack.box.wasm');
    expect((await inProcess('box-link', ['--image', join(work, 'image'), '--single-memory', '-o', box, attack])).status).toBe(0);
    const base = String(readManifest(readFileSync(box)).singleMemory!.regions.vfs!.base);
    const r = cli('box', ['run', box, 'read', base], oldNode);
    expect(r.status).toBe(134);
    expect(r.stdout + r.stderr).not.toContain('CANARY');
  });
});
