// A code section read in bulk (readModule's `bulk`: a CodeRun, no object per
// function) must read as the entries do, refuse what they refuse with the same
// error, and write exactly the bytes the entries write: through the scan
// kernel a megabyte at a time (copyValidatedRun), streamed or whole, and with
// the entries the kernel leaves to the writer's own path.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refType } from './code.ts';
import { WasmFormatError } from './errors.ts';
import { codeCount, identityMap, type IndexMap, type Module } from './module.ts';
import { codeAt, readModule, runCode } from './reader.ts';
import { writeModule, writeModuleTo } from './writer.ts';

const file = (path: string) => new Uint8Array(readFileSync(new URL(path, import.meta.url)));
const programs = {
  'hello.wasm (wasi-libc)': '../../test/fixtures/hello.wasm',
  'fsops.wasm (wasi-libc, -O2)': '../../../../bench/programs/fsops.wasm',
  'kernel.wasm (AssemblyScript)': '../../../kernel/build/kernel.wasm',
  'vfs.wasm (AssemblyScript)': '../../../vfs/build/vfs.wasm',
};

/** A map with its raw form over module `m`: functions `func`, every other space as it is. */
function mapFor(m: Module, func: (i: number) => number): IndexMap {
  const imports = m.imports.filter((i) => i.desc.kind === 'func').length;
  return {
    ...identityMap,
    func,
    raw: {
      funcs: Int32Array.from({ length: imports + m.functions.length }, (_, i) => func(i)), types: m.types.map((_, i) => i),
      table: 0, tables: m.tables.length, memory: 0, memories: m.memories.length, global: 0, globals: m.globals.length, data: 0, datas: m.data.length,
    },
  };
}

/** The maps the tests write through: none moved; the box's layout (imports far up, functions down); functions moved so far up that some grow. */
function maps(m: Module): Array<[string, IndexMap]> {
  const imports = m.imports.filter((i) => i.desc.kind === 'func').length;
  return [
    ['identity', mapFor(m, (i) => i)],
    ['box-like', mapFor(m, (i) => (i < imports ? 40_000 + i : Math.max(0, i - 3)))],
    ['growing', mapFor(m, (i) => i + 20_000)],
  ];
}

/** `bytes` read with its entries as objects and in bulk, each entry written through `map`. */
function bothWays(bytes: Uint8Array, map: IndexMap): { entries: Module; bulk: Module } {
  const entries = readModule(bytes);
  for (const c of entries.codes) {
    c.map = map;
    c.validated = true;
  }
  const bulk = readModule(bytes, { bulk: true });
  bulk.codeRun!.map = map;
  bulk.codeRun!.validated = true;
  return { entries, bulk };
}

/** writeModuleTo's output gathered, patches applied. */
function streamed(m: Module): Uint8Array {
  const chunks: Uint8Array[] = [];
  const size = writeModuleTo(m, {
    write: (chunk) => { chunks.push(chunk.slice()); },
    patch: (offset, patch) => {
      let at = 0;
      for (const c of chunks) {
        for (let i = 0; i < patch.length; i++) if (offset + i >= at && offset + i < at + c.length) c[offset + i - at] = patch[i]!;
        at += c.length;
      }
    },
  });
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

describe('readModule in bulk', () => {
  for (const [name, path] of Object.entries(programs)) {
    it(`reads every entry of ${name} as the entries are read`, () => {
      const bytes = file(path);
      const entries = readModule(bytes);
      const bulk = readModule(bytes, { bulk: true });
      expect(bulk.codes).toEqual([]);
      expect(codeCount(bulk)).toBe(entries.codes.length);
      entries.codes.forEach((c, i) => {
        expect(runCode(bulk.codeRun!, i)).toEqual(c);
        expect(codeAt(bulk, i)).toEqual(c);
      });
      expect({ ...bulk, codeRun: undefined, codes: entries.codes }).toEqual({ ...entries, codeRun: undefined });
    });
  }

  it('refuses what the entries refuse, with the same error, and reads what they read (mutated code sections)', () => {
    const hello = file(programs['hello.wasm (wasi-libc)']);
    const at = readModule(hello, { bulk: true }).codeRun!.at;
    // mutations aimed at entry headers: sizes, local counts and types, final ends
    const heads = Array.from(at.subarray(0, 200));
    fc.assert(fc.property(fc.constantFrom(...heads), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 255 }), (head, delta, byte) => {
      const bytes = hello.slice();
      bytes[head + delta] = byte;
      const outcome = (bulk: boolean) => {
        try {
          const m = readModule(bytes, { bulk });
          return `read ${codeCount(m)}`;
        } catch (e) {
          if (e instanceof WasmFormatError) return e.message;
          throw e;
        }
      };
      expect(outcome(true)).toBe(outcome(false));
    }), { numRuns: 400 });
  });
});

describe('a code run written', () => {
  for (const [name, path] of Object.entries(programs)) {
    it(`writes ${name} as its entries write, whole and streamed`, () => {
      const bytes = file(path);
      for (const [, map] of maps(readModule(bytes))) {
        const { entries, bulk } = bothWays(bytes, map);
        const expected = writeModule(entries);
        expect(writeModule(bulk)).toEqual(expected);
        expect(streamed(bulk)).toEqual(expected);
      }
    });
  }

  it('writes an entry the kernel leaves (a typed reference among its locals) through the writer, in its place', () => {
    const bytes = file(programs['hello.wasm (wasi-libc)']);
    const m = readModule(bytes);
    // one function gets a local of type (ref null func): 0x63 0x70
    const target = m.codes.length >> 1;
    m.codes[target]!.locals.push({ count: 1, type: 0x63 + 0x70 * 256 + 65536 });
    const edited = writeModule(m);
    const map = maps(m)[1]![1];
    const { entries, bulk } = bothWays(edited, map);
    expect(runCode(bulk.codeRun!, target).locals.at(-1)).toEqual({ count: 1, type: 0x63 + 0x70 * 256 + 65536 });
    expect(writeModule(bulk)).toEqual(writeModule(entries));
    expect(streamed(bulk)).toEqual(writeModule(entries));
  });

  it('maps the type a typed reference local names as the body\'s type indices are mapped, in a run and in entries', () => {
    const m = readModule(file(programs['hello.wasm (wasi-libc)']));
    // one function gets a local of type (ref null 0): the kernel leaves its entry to the writer
    const target = m.codes.length >> 1;
    m.codes[target]!.locals.push({ count: 1, type: refType(true, 0) });
    const edited = writeModule(m);
    const box = maps(m)[1]![1];
    const map: IndexMap = { ...box, type: (i) => i + 3, raw: { ...box.raw!, types: m.types.map((_, i) => i + 3) } };
    const { entries, bulk } = bothWays(edited, map);
    for (const out of [writeModule(entries), writeModule(bulk), streamed(bulk)]) {
      expect(readModule(out).codes[target]!.locals.at(-1)).toEqual({ count: 1, type: refType(true, 3) });
    }
  });

  it('writes a run without a map as its entries', () => {
    const bytes = file(programs['fsops.wasm (wasi-libc, -O2)']);
    expect(writeModule(readModule(bytes, { bulk: true }))).toEqual(writeModule(readModule(bytes)));
  });
});
