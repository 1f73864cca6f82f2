// prepareLinkTo: a link whose program the caller validates meanwhile. It must
// write what linkTo writes, and refuse an invalid program exactly as link()
// does, whatever the caller's answer says and whenever it comes.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { link, linkTo, prepareLinkTo } from './link.ts';
import { readModule } from './binary/reader.ts';
import { writeModule, type ModuleSink } from './binary/writer.ts';
import { emptyModule } from './binary/module.ts';

const hello = new Uint8Array(readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url)));
const options = { capabilities: [kernel, vfs, proc], entrypoint: 'hello.wasm', args: ['a'], env: ['GREETING=hi'] };

/** A sink gathering what is written, patches applied. */
function gather(): { sink: ModuleSink; bytes: () => Uint8Array } {
  const chunks: number[] = [];
  return {
    sink: {
      write: (chunk) => { for (const b of chunk) chunks.push(b); },
      patch: (offset, bytes) => { bytes.forEach((b, i) => { chunks[offset + i] = b; }); },
    },
    bytes: () => new Uint8Array(chunks),
  };
}

/** The error a call throws or rejects with (undefined when none). */
async function failure(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** A command whose body leaves an i32 where _start returns nothing: it decodes, and the engine refuses it. */
function invalid({ memory }: { memory: boolean }): Uint8Array {
  const m = emptyModule();
  m.types.push({ params: [], results: [] });
  m.functions.push(0);
  m.codes.push({ locals: [], body: new Uint8Array([0x41, 0, 0x0b]) });
  if (memory) {
    m.memories.push({ min: 1n });
    m.exports.push({ name: 'memory', kind: 'memory', index: 0 });
  }
  m.exports.push({ name: '_start', kind: 'func', index: 0 });
  return writeModule(m);
}

describe('prepareLinkTo', () => {
  it('writes the bytes linkTo writes, with the same manifest', async () => {
    const direct = gather();
    const { manifest } = linkTo(hello, options, direct.sink);
    const prepared = await prepareLinkTo(hello, options, Promise.resolve(WebAssembly.validate(hello)));
    const staged = gather();
    prepared.writeTo(staged.sink);
    expect(staged.bytes()).toEqual(direct.bytes());
    expect(prepared.manifest).toEqual(manifest);
  });

  it('waits for the answer before the box can be written', async () => {
    let answer!: (valid: boolean) => void;
    let prepared = false;
    const pending = prepareLinkTo(hello, options, new Promise((resolve) => { answer = resolve; })).then((p) => { prepared = true; return p; });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(prepared).toBe(false);
    answer(true);
    expect((await pending).writeTo(gather().sink)).toBeGreaterThan(0);
  });

  it("refuses an invalid program with link()'s error, whatever the caller answered", async () => {
    const program = invalid({ memory: true });
    const expected = await failure(() => link(program, options));
    expect(String(expected)).toMatch(/the program is not a valid WebAssembly module: Compiling function #0 failed/);
    for (const valid of [Promise.resolve(false), Promise.reject(new Error('the worker died'))]) {
      expect(String(await failure(() => prepareLinkTo(program, options, valid)))).toBe(String(expected));
    }
  });

  it('puts the validation error before the merge\'s own (a program without a memory): link() validates first', async () => {
    const program = invalid({ memory: false });
    const expected = await failure(() => link(program, options));
    expect(String(expected)).toMatch(/not a valid WebAssembly module/);
    expect(String(await failure(() => prepareLinkTo(program, options, Promise.resolve(false))))).toBe(String(expected));
  });

  it('checks a false answer again itself: a valid program still links', async () => {
    const prepared = await prepareLinkTo(hello, options, Promise.resolve(false));
    const out = gather();
    prepared.writeTo(out.sink);
    expect(WebAssembly.validate(out.bytes() as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(readModule(out.bytes()).exports.some((e) => e.name === '_start')).toBe(true);
  });

  it('refuses a module that does not decode before asking for the answer, as link() does', async () => {
    // an answer that never comes: a prepareLinkTo that waited for it would never settle
    const never = new Promise<boolean>(() => {});
    const broken = hello.slice(0, 100);
    expect(String(await failure(() => prepareLinkTo(broken, options, never)))).toBe(String(await failure(() => link(broken, options))));
  });
});
