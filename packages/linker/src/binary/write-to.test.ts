// writeModuleTo hands a module on in chunks, patching the code section's size
// once it is known: the bytes must be writeModule's, whether the size is
// still in the buffer or already handed on.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { link, linkTo } from '../link.ts';
import { identityMap, type Module } from './module.ts';
import { readModule } from './reader.ts';
import { func, section, u32, vec, wasm } from './test-helpers.ts';
import { writeModule, writeModuleTo, type ModuleSink } from './writer.ts';

/** A sink that keeps what it is given, as a file would, and counts the calls. */
function fileSink() {
  let bytes = new Uint8Array(0);
  const calls = { write: 0, patch: 0 };
  const sink: ModuleSink = {
    write(chunk) {
      calls.write++;
      const next = new Uint8Array(bytes.length + chunk.length);
      next.set(bytes);
      next.set(chunk, bytes.length);
      bytes = next;
    },
    patch(offset, patch) {
      calls.patch++;
      expect(offset + patch.length).toBeLessThanOrEqual(bytes.length);
      bytes.set(patch, offset);
    },
  };
  return { sink, calls, bytes: () => bytes };
}

/** A module of `n` functions () -> () whose bodies are `size` nops each (built as bytes: test-helpers' arrays are slow at megabytes). */
function bigModule(n: number, size: number): Uint8Array {
  const head = wasm(section(1, vec([[0x60, 0, 0]])), section(3, vec(Array.from({ length: n }, () => [0]))));
  const entry = new Uint8Array(func([], [...Array(size).fill(0x01), 0x0b]));
  const count = u32(n);
  const total = count.length + n * entry.length;
  const sizeField = u32(total);
  const out = new Uint8Array(head.length + 1 + sizeField.length + total);
  out.set(head);
  let at = head.length;
  out[at++] = 10;
  out.set(sizeField, at);
  at += sizeField.length;
  out.set(count, at);
  at += count.length;
  for (let i = 0; i < n; i++, at += entry.length) out.set(entry, at);
  return out;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

describe('writeModuleTo', () => {
  const cases: Record<string, () => Module> = {
    'a small module (one chunk)': () => readModule(new Uint8Array(readFileSync(new URL('../../test/fixtures/hello.wasm', import.meta.url)))),
    'a 1.5 MB code section written as it is': () => readModule(bigModule(1500, 1000)),
    'a 1.5 MB code section rewritten (its size patched through the sink)': () => {
      const m = readModule(bigModule(1500, 1000));
      for (const c of m.codes) c.map = identityMap;
      return m;
    },
  };
  for (const [name, make] of Object.entries(cases)) {
    it(`writes what writeModule writes: ${name}`, () => {
      const whole = writeModule(make());
      const file = fileSink();
      const size = writeModuleTo(make(), file.sink);
      expect(size).toBe(whole.length);
      expect(same(file.bytes(), whole)).toBe(true);
      if (whole.length > 1 << 20) expect(file.calls.write).toBeGreaterThan(1);
      if (name.includes('patched')) expect(file.calls.patch).toBe(1);
    });
  }

  it('linkTo writes the box link() makes', () => {
    const hello = new Uint8Array(readFileSync(new URL('../../test/fixtures/hello.wasm', import.meta.url)));
    const options = { capabilities: [kernel, proc], entrypoint: 'hello', args: ['a'], env: [] };
    const file = fileSink();
    const streamed = linkTo(hello, options, file.sink);
    const whole = link(hello, options);
    expect(same(file.bytes(), whole.bytes)).toBe(true);
    expect(streamed.size).toBe(whole.bytes.length);
    expect(streamed.manifest).toEqual(whole.manifest);
  });
});
