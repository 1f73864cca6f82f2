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

/** `head` followed by section `id` holding `entries` (built as bytes: test-helpers' arrays are slow at megabytes). */
function withSection(head: Uint8Array, id: number, entries: readonly Uint8Array[]): Uint8Array {
  const count = u32(entries.length);
  const total = count.length + entries.reduce((k, e) => k + e.length, 0);
  const sizeField = u32(total);
  const out = new Uint8Array(head.length + 1 + sizeField.length + total);
  out.set(head);
  let at = head.length;
  out[at++] = id;
  out.set(sizeField, at);
  at += sizeField.length;
  out.set(count, at);
  at += count.length;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  return out;
}

/** A module of `n` functions () -> () whose bodies are `size` nops each. */
function bigModule(n: number, size: number): Uint8Array {
  const head = wasm(section(1, vec([[0x60, 0, 0]])), section(3, vec(Array.from({ length: n }, () => [0]))));
  const entry = new Uint8Array(func([], [...Array(size).fill(0x01), 0x0b]));
  return withSection(head, 10, Array.from({ length: n }, () => entry));
}

/** A module with one memory and data segments: a small active one, then passive ones of `sizes` bytes. */
function dataModule(sizes: number[]): Uint8Array {
  const head = wasm(section(5, vec([[0x00, 1]])), section(12, u32(sizes.length + 1)));
  const segments = [new Uint8Array([0x00, 0x41, 0x10, 0x0b, ...u32(3), 1, 2, 3])];
  sizes.forEach((n, i) => {
    const len = u32(n);
    const seg = new Uint8Array(1 + len.length + n).fill(i + 7);
    seg[0] = 0x01;
    seg.set(len, 1);
    segments.push(seg);
  });
  return withSection(head, 11, segments);
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
    'data segments, large ones handed on as they are': () => readModule(dataModule([100, 600_000, 10, 1_500_000, 5])),
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
