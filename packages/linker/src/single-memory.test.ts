// Single-memory boxes (single-memory.ts): one memory, the same behaviour as
// the multi-memory box, and the program still unable to reach capability
// state. Programs run under plain node:wasi, as any preview1 host would run
// them; binaryen with multi-memory disabled is the validation oracle.

import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import binaryen from 'binaryen';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ERRNO_FAULT, type ImageEntry } from '@marcotte/abi';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { readModule } from './binary/reader.ts';
import { writeModule } from './binary/writer.ts';
import { emptyModule } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { link, type LinkOptions } from './link.ts';

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const attack = readFileSync(new URL('../test/fixtures/region_attack.wasm', import.meta.url));
const helloData = new URL('../../../examples/hello/data', import.meta.url).pathname;
const CANARY = 'CANARY-7f3a-capability-state';
const image: ImageEntry[] = [{ path: '/canary', type: 'file', data: new TextEncoder().encode(CANARY) }];
const work = mkdtempSync(join(tmpdir(), 'single-memory-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function linked(program: Uint8Array, options: Partial<LinkOptions>) {
  return link(program, { capabilities: [kernel], entrypoint: 'app.wasm', args: [], env: [], ...options });
}

/** binaryen's validator with every feature it knows but multi-memory. */
function validWithoutMultiMemory(bytes: Uint8Array): boolean {
  const m = binaryen.readBinary(bytes);
  try {
    m.setFeatures(binaryen.Features.All & ~binaryen.Features.MultiMemory);
    return Boolean(m.validate());
  } finally {
    m.dispose();
  }
}

/** Runs a box under plain node:wasi; a trap is reported as its message. */
function run(bytes: Uint8Array, args: string[], preopens: Record<string, string> = {}): { code: number | string; stdout: string } {
  const out = join(work, 'stdout');
  const fd = openSync(out, 'w');
  const wasi = new WASI({ version: 'preview1', args: ['app.wasm', ...args], env: {}, preopens, stdout: fd, returnOnExit: true });
  let code: number | string;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { wasi_snapshot_preview1: wasi.wasiImport } as WebAssembly.Imports);
    code = wasi.start(instance);
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    code = e.message;
  } finally {
    closeSync(fd);
  }
  return { code, stdout: readFileSync(out, 'utf8') };
}

describe('a single-memory box', () => {
  const multi = linked(hello, { capabilities: [kernel, proc], env: ['GREETING=hi'] });
  const single = linked(hello, { capabilities: [kernel, proc], env: ['GREETING=hi'], singleMemory: true });

  it('has one memory, exported as memory, and validates with multi-memory disabled', () => {
    const module = readModule(single.bytes);
    expect(module.memories).toHaveLength(1);
    expect(module.exports.filter((e) => e.kind === 'memory').every((e) => e.index === 0)).toBe(true);
    expect(module.exports.find((e) => e.name === 'memory')).toEqual({ name: 'memory', kind: 'memory', index: 0 });
    expect(validWithoutMultiMemory(single.bytes)).toBe(true);
    expect(validWithoutMultiMemory(multi.bytes)).toBe(false); // the oracle can fail
  });

  it('records its layout: the program at 0 up to its limit, each capability above it, all inside the memory', () => {
    const layout = single.manifest.singleMemory!;
    expect(layout.checked).toBe(true);
    expect(layout.regions.app).toEqual({ base: 0, pages: 16384 });
    const regions = Object.values(layout.regions).sort((a, b) => a.base - b.base);
    regions.slice(1).forEach((r, i) => {
      expect(r.base).toBe(regions[i]!.base + regions[i]!.pages * 65536);
    });
    const last = regions.at(-1)!;
    expect(BigInt(last.base / 65536 + last.pages)).toBe(readModule(single.bytes).memories[0]!.min);
    expect(Object.keys(layout.regions)).toEqual(['app', 'kernel', 'proc', 'scratch']);
    expect(multi.manifest.singleMemory).toBeUndefined();
  });

  it('prints what the multi-memory box prints', () => {
    const preopens = { '/data': helloData };
    const a = run(single.bytes, ['x y'], preopens);
    expect(a).toEqual(run(multi.bytes, ['x y'], preopens));
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^hi from inside a box!\nargv\[0\] = app\.wasm\nargv\[1\] = x y\n/);
  });

  it('runs a program with SIMD, bulk memory and call_indirect as the multi-memory box does', () => {
    const simd = readFileSync(new URL('../test/fixtures/hello.wasm', import.meta.url));
    const one = linked(simd, { singleMemory: true }).bytes;
    expect(validWithoutMultiMemory(one)).toBe(true);
    const r = run(one, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\S/);
    expect(r).toEqual(run(linked(simd, {}).bytes, []));
  });

  it('takes the program\'s declared maximum as its limit, or --program-memory', () => {
    const declared = readModule(hello);
    declared.memories[0]!.max = 64n;
    expect(linked(writeModule(declared), { singleMemory: true }).manifest.singleMemory!.regions.app!.pages).toBe(64);
    expect(linked(hello, { singleMemory: true, programMemory: 3 << 20 }).manifest.singleMemory!.regions.app!.pages).toBe(48);
    expect(() => linked(hello, { singleMemory: true, programMemory: 65536 })).toThrow(/needs 2 pages to start, its limit is 1/);
    expect(() => linked(hello, { programMemory: 1 << 20 })).toThrow(/only for a --single-memory box/);
    expect(() => linked(hello, { singleMemory: true, portable: true })).toThrow(LinkError);
    expect(() => linked(hello, { singleMemory: true, programMemory: 4 * 2 ** 30 })).toThrow(/more than a 32-bit memory's 65536/);
  });

  it('refuses a program whose data segment lies outside its initial memory (it would land in a capability region)', () => {
    const m = emptyModule();
    m.types.push({ params: [], results: [] });
    m.functions.push(0);
    m.codes.push({ locals: [], body: new Uint8Array([0x0b]) });
    m.memories.push({ min: 1n });
    m.exports.push({ name: 'memory', kind: 'memory', index: 0 }, { name: '_start', kind: 'func', index: 0 });
    m.data.push({ mode: { kind: 'active', memory: 0, offset: new Uint8Array([0x41, 0x80, 0x80, 0x04, 0x0b]) }, bytes: new Uint8Array(4) });
    // The bare program cannot instantiate either: memory 0 has one page, the segment is at 64 KiB.
    expect(() => linked(writeModule(m), { singleMemory: true })).toThrow(/a data segment at 65536 \(4 bytes\) lies outside its initial memory/);
  });
});

describe('the program cannot reach capability state in a single-memory box', () => {
  const options = { capabilities: [kernel, vfs], image, singleMemory: true };
  const box = linked(attack, options).bytes;
  const multiBox = linked(attack, { ...options, singleMemory: false }).bytes;
  const layout = linked(attack, options).manifest.singleMemory!;
  const vfsBase = String(layout.regions.vfs!.base);
  const programEnd = String(layout.regions.app!.pages * 65536);

  it('the canary is in the vfs (what the attacks must not see)', () => {
    expect(run(box, ['cat', '/canary'])).toEqual({ code: 0, stdout: `/canary: ${CANARY}\n` });
  });

  it.each([
    ['a load at the vfs region', ['read', vfsBase]],
    ['a store at the vfs region', ['write', vfsBase]],
    ['loads every 64 KiB above its memory', ['scan']],
    ['a load with a 2 GiB memarg offset', ['offset']],
    ['memory.copy from the vfs region', ['copy', vfsBase]],
    ['memory.copy across the end of its region', ['copy', String(Number(programEnd) - 16), '64']],
    ['memory.copy across the end of its current memory', ['copy', String(2 * 65536 - 16), '64']],
    ['memory.fill across the end of its memory', ['fill']],
  ])('%s traps as in the multi-memory box, without the canary', (_, args) => {
    const r = run(box, args);
    expect(r.code).toBe('memory access out of bounds');
    expect(r).toEqual(run(multiBox, args));
    expect(r.stdout).not.toContain('CANARY');
  });

  it('host calls with pointers outside its region answer EFAULT (passed through, or through the kernel); inside, they work', () => {
    // fd_write on stdout goes through the kernel to the host, which would read the iovec's bytes
    const refused = run(box, ['hostcall', vfsBase]).stdout;
    expect(refused).toBe(`random_get: ${ERRNO_FAULT}\nargs_get: ${ERRNO_FAULT}\nclock_time_get: ${ERRNO_FAULT}\n\nfd_write: ${ERRNO_FAULT}\n`);
    const inside = run(box, ['hostcall', '1024']).stdout;
    // (the 64 bytes at 1024 are the program's own data, whatever they hold)
    expect(inside.startsWith('random_get: 0\nargs_get: 0\nclock_time_get: 0\n')).toBe(true);
    expect(inside.endsWith('\nfd_write: 0\n')).toBe(true);
  });

  it('grows its memory and keeps working: files written before and after are there, the canary too', () => {
    const r = run(box, ['grow']);
    expect(r).toEqual({ code: 0, stdout: `grew from 2 to 1026 pages\n/before: written before growing\n/after: written after growing\n/canary: ${CANARY}\n` });
    expect(r).toEqual(run(multiBox, ['grow']));
  });

  it('memory.grow past its limit answers -1, as a full memory does', () => {
    const small = linked(attack, { ...options, programMemory: 8 << 20 }).bytes;
    expect(run(small, ['grow'])).toEqual({ code: 1, stdout: 'malloc failed\n' });
  });
});

describe('single-memory linking of mutated programs', () => {
  it('gives a valid one-memory box or a LinkError, never anything else', () => {
    // Flips in the code section reach the pass's own instruction walker.
    fc.assert(fc.property(fc.integer({ min: hello.length >> 3, max: hello.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
      const bytes = new Uint8Array(hello);
      bytes[at] = value;
      let box: Uint8Array;
      try {
        box = linked(bytes, { singleMemory: true }).bytes;
      } catch (e) {
        if (e instanceof LinkError) return;
        throw e;
      }
      expect(WebAssembly.validate(box as Uint8Array<ArrayBuffer>)).toBe(true);
      expect(readModule(box).memories).toHaveLength(1);
    }), { numRuns: 120, seed: 22 });
  });
});

// A system Node without multi-memory (Node 20 here) is the engine this is for.
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) =>
  existsSync(p) && execFileSync(p, ['-p', 'WebAssembly.validate(new Uint8Array([0,97,115,109,1,0,0,0,5,5,2,0,0,0,0]))'], { encoding: 'utf8' }).trim() === 'false');

describe.skipIf(!oldNode)('on an engine without multi-memory', () => {
  it('runs under its plain node:wasi with the same output as the multi-memory box here', () => {
    const options = { capabilities: [kernel, vfs, proc], image, env: ['GREETING=old'] };
    const single = join(work, 'old.box.wasm');
    writeFileSync(single, linked(hello, { ...options, singleMemory: true }).bytes);
    const multi = join(work, 'multi.box.wasm');
    writeFileSync(multi, linked(hello, options).bytes);
    const script = join(work, 'run.mjs');
    writeFileSync(script, `import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';
const wasi = new WASI({ version: 'preview1', args: ['app.wasm', 'a'], env: {}, preopens: {} });
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(process.argv[2])), { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
`);
    const old = spawnSync(oldNode!, ['--no-warnings', script, single], { encoding: 'utf8' });
    expect(old.stderr).toBe('hello: cannot list /data: No such file or directory\n');
    expect(old.status).toBe(1);
    const refused = spawnSync(oldNode!, ['--no-warnings', script, multi], { encoding: 'utf8' });
    expect(refused.stderr).toMatch(/memory count of \d+ exceeds internal limit of 1/);
    const current = spawnSync(process.execPath, ['--no-warnings', script, multi], { encoding: 'utf8' });
    expect(old.stdout).toBe(current.stdout);
    expect(old.stdout).toMatch(/^old from inside a box!\n/);
  });
});
