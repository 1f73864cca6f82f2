// copyValidated must write exactly what rewriteExpr writes, or answer false
// and write nothing; these tests compare the two on real programs, on
// hand-made bodies with every immediate it handles padded, and on random
// instruction sequences: both of its scans, the JavaScript one and the
// WebAssembly kernel (scan-kernel.ts), which runs where a map has a raw form.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rewriteExpr } from './code.ts';
import { copyValidated, copyValidatedJs } from './copy-validated.ts';
import { ByteWriter } from './leb.ts';
import { identityMap, type IndexMap, type RawIndexMap } from './module.ts';
import { readModule } from './reader.ts';
import { kernelCopy } from './scan-kernel.ts';
import { s32, u32, type Bytes } from './test-helpers.ts';

const file = (path: string) => new Uint8Array(readFileSync(new URL(path, import.meta.url)));

/** The box's layout for a program with `imports` function imports: defined functions move by `delta`, imports far up. */
const boxLike = (imports: number, delta: number, importsAt = 40_000): IndexMap => ({
  ...identityMap,
  func: (i) => (i < imports ? importsAt + i : Math.max(0, i + delta)),
});

/**
 * `map` with its raw form (what the kernel reads), for maps that move only
 * functions: the function and type tables sampled from it, every other space
 * its base + i with room for any index the tests use.
 */
const raws = new WeakMap<IndexMap, IndexMap>();
function withRaw(map: IndexMap, n = 1024): IndexMap {
  let mapped = raws.get(map);
  if (!mapped) {
    const many = 1 << 30;
    const raw: RawIndexMap = {
      funcs: Int32Array.from({ length: n }, (_, i) => map.func(i)), types: Array.from({ length: 1024 }, (_, i) => map.type(i)),
      table: map.table(0), tables: many, memory: map.memory(0), memories: many, global: map.global(0), globals: many, data: map.data(0), datas: many,
    };
    mapped = { ...map, raw };
    raws.set(map, mapped);
  }
  return mapped;
}

/** The two scans: the one a map without a raw form gets, and the kernel (with its raw form). */
const SCANS = {
  javascript: (body: Uint8Array, map: IndexMap, out: ByteWriter, _functions?: number) => copyValidatedJs(body, map, out),
  kernel: (body: Uint8Array, map: IndexMap, out: ByteWriter, functions?: number) => copyValidated(body, withRaw(map, functions), out),
};
type Scan = keyof typeof SCANS;

it('the kernel is built and loads (else the linker would scan in JavaScript, and the kernel tests test that)', () => {
  const out = new ByteWriter(4);
  expect(kernelCopy(new Uint8Array([0x01, 0x0b]), withRaw(identityMap), out)).toBe(true);
  expect(out.view()).toEqual(new Uint8Array([0x01, 0x0b]));
});

/** Both paths on one body: the fast one's bytes (undefined when it declined) and the rewriter's. */
function both(body: Uint8Array, map: IndexMap, scan: Scan, functions?: number): { fast: Uint8Array | undefined; slow: Uint8Array } {
  const slow = new ByteWriter(4);
  rewriteExpr(body, map, slow);
  const fast = new ByteWriter(4);
  fast.byte(0xaa); // something before the body, as in a code section
  const taken = SCANS[scan](body, map, fast, functions);
  expect(fast.buf[0]).toBe(0xaa);
  if (!taken) expect(fast.pos).toBe(1);
  return { fast: taken ? fast.view().slice(1) : undefined, slow: slow.finish() };
}

for (const scan of Object.keys(SCANS) as Scan[]) {
  describe(`copyValidated (${scan}) on real programs`, () => {
    const programs = {
      'hello.wasm (wasi-libc)': '../../test/fixtures/hello.wasm',
      'fsops.wasm (wasi-libc, -O2)': '../../../../bench/programs/fsops.wasm',
      'kernel.wasm (AssemblyScript)': '../../../kernel/build/kernel.wasm',
      'vfs.wasm (AssemblyScript)': '../../../vfs/build/vfs.wasm',
    };
    for (const [name, path] of Object.entries(programs)) {
      it(`writes every body of ${name} as rewriteExpr does`, () => {
        const m = readModule(file(path));
        const imports = m.imports.filter((i) => i.desc.kind === 'func').length;
        let taken = 0;
        // indices that keep their length or shrink (the fast path's case), then ones that grow (it declines some)
        const maps = [identityMap, boxLike(imports, -3, 1), boxLike(imports, 200, 5)];
        maps.forEach((map, k) => {
          for (const code of m.codes) {
            const { fast, slow } = both(code.body, map, scan, imports + m.functions.length);
            if (fast) {
              if (k < 2) taken++;
              expect(fast).toEqual(slow);
            }
          }
        });
        // the fast path is the one that runs: it must not decline common code
        expect(taken).toBeGreaterThan(m.codes.length * 2 * 0.9);
      });
    }
  });

  const body = (...instrs: Bytes[]) => new Uint8Array([...instrs.flat(), 0x0b]);
  const pad = (b: Bytes, n: number): Bytes => {
    // widen a LEB (last byte without the continuation bit) to n bytes, keeping its value and sign
    const out = [...b];
    const negative = (out.at(-1)! & 0x40) !== 0;
    while (out.length < n) {
      out[out.length - 1]! |= 0x80;
      out.push(negative ? 0x7f : 0x00);
    }
    out[out.length - 1]! &= 0x7f;
    return out;
  };

  describe(`copyValidated (${scan}) on hand-made bodies`, () => {
    const map = boxLike(3, -2, 100);
    const cases: Record<string, Bytes[]> = {
      'calls in and out of the imports': [[0x10, ...u32(1)], [0x10, ...u32(700)], [0x12, ...u32(5)], [0xd2, ...u32(4)], [0x1a]],
      'padded call, global, local, label, i32 and i64 constants': [
        [0x10, ...u32(9, 5)], [0x23, ...u32(0, 5)], [0x20, ...u32(3, 3)], [0x0c, ...u32(0, 2)],
        [0x41, ...pad(s32(-5), 5)], [0x41, ...pad(s32(64), 5)], [0x42, ...pad(s32(-1), 10)], [0x42, ...pad(s32(100000), 7)],
      ],
      'memargs with padded offsets': [[0x41, 0], [0x28, 2, ...u32(1024, 5)], [0x1a], [0x41, 0], [0x41, 0], [0x36, 2, ...u32(0, 3)]],
      'br_table with padded entries and count': [[0x02, 0x40], [0x41, 0], [0x0e, ...u32(2, 3), ...u32(0, 4), 0, ...u32(0, 2)], [0x0b]],
      'blocks with value types, f32/f64 constants whose bytes look like LEBs': [
        [0x02, 0x7f], [0x43, 0x80, 0x80, 0x80, 0x80], [0x1a], [0x44, 0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], [0x1a], [0x41, 1], [0x0b],
      ],
      'bulk memory, padded sub-opcodes': [
        [0x41, 0], [0x41, 0], [0x41, 0], [0xfc, ...u32(10), 0, 0], [0x41, 0], [0x41, 0], [0x41, 0], [0xfc, ...u32(11, 3), 0],
        [0xfc, ...u32(9), ...u32(1, 2)], [0x41, 0], [0xfc, ...u32(0)], [0x1a],
      ],
      'call_indirect with padded type and table': [[0x41, 0], [0x11, ...u32(2, 5), ...u32(0, 5)]],
      'a long run after a shrink (moved with copyWithin)': [[0x10, ...u32(9, 5)], ...Array.from({ length: 40 }, () => [0x01])],
    };
    for (const [name, instrs] of Object.entries(cases)) {
      it(name, () => {
        const { fast, slow } = both(body(...instrs), map, scan);
        expect(fast).toBeDefined();
        expect(fast).toEqual(slow);
      });
    }

    const declined: Record<string, Bytes[]> = {
      'a call that would grow (one-byte import index to a far function)': [[0x10, 1]],
      'an explicit memory index in a memarg': [[0x41, 0], [0x28, 0x42, 0, 0], [0x1a]],
      'padded memarg flags': [[0x41, 0], [0x28, 0x82, 0x00, 0], [0x1a]],
      'a block typed by a type index': [[0x02, 0x01], [0x0b]],
      'SIMD': [[0xfd, 0x0c, ...Array(16).fill(0)], [0x1a]],
      'table.get': [[0x41, 0], [0x25, 0], [0x1a]],
    };
    for (const [name, instrs] of Object.entries(declined)) {
      it(`declines ${name}, writing nothing`, () => {
        const { fast } = both(body(...instrs), boxLike(3, 0, 40_000), scan);
        expect(fast).toBeUndefined();
      });
    }

    it('declines when the map inserts loop probes', () => {
      const { fast } = both(body([0x03, 0x40], [0x0b]), { ...identityMap, loopProbe: new Uint8Array([0x01]) }, scan);
      expect(fast).toBeUndefined();
    });
  });

  describe(`copyValidated (${scan}) on random instruction sequences`, () => {
    const leb = (v: number, extra: number) => u32(v, extra ? u32(v).length + extra : 0);
    const sleb = (v: number, extra: number, width: number) => {
      const b = s32(v);
      return pad(b, Math.min(width, b.length + extra));
    };
    const idx = fc.integer({ min: 0, max: 300 });
    const extra = fc.integer({ min: 0, max: 3 });
    const instr: fc.Arbitrary<Bytes> = fc.oneof(
      fc.constantFrom<Bytes[]>([0x1a], [0x6a], [0x01], [0x0f], [0x45]),
      fc.tuple(fc.integer({ min: 0x20, max: 0x24 }), idx, extra).map(([op, i, e]) => [op, ...leb(i, e)]),
      fc.tuple(fc.constantFrom(0x10, 0x12, 0xd2), idx, extra).map(([op, i, e]) => [op, ...leb(i, e)]),
      fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), extra).map(([v, e]) => [0x41, ...sleb(v, e, 5)]),
      fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 6 })).map(([v, e]) => [0x42, ...sleb(v, e, 10)]),
      fc.tuple(fc.integer({ min: 0x28, max: 0x3e }), fc.integer({ min: 0, max: 3 }), fc.nat(), extra).map(([op, a, o, e]) => [op, a, ...leb(o, e)]),
      fc.tuple(fc.constantFrom(0x0c, 0x0d), fc.nat(5), extra).map(([op, l, e]) => [op, ...leb(l, e)]),
      fc.tuple(fc.array(fc.tuple(fc.nat(5), extra), { minLength: 1, maxLength: 5 }), extra)
        .map(([ls, e]) => [0x0e, ...leb(ls.length - 1, e), ...ls.flatMap(([l, x]) => leb(l, x))]),
      fc.tuple(idx, idx, extra).map(([t, tab, e]) => [0x11, ...leb(t, e), ...leb(tab % 2, e)]),
      fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => [0x43, ...b]),
      fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => [0x44, ...b]),
      // structured instructions come whole, so that every body is well nested (as a validated one is)
      fc.constantFrom<Bytes[]>([0x02, 0x40, 0x0b], [0x03, 0x7f, 0x41, 0, 0x0b], [0x41, 0, 0x04, 0x7e, 0x42, 0, 0x05, 0x42, 1, 0x0b]),
      fc.tuple(fc.nat(7), extra).map(([sub, e]) => [0xfc, ...leb(sub, e)]),
      fc.constantFrom<Bytes[]>([0xfc, 10, 0, 0], [0xfc, 11, 0], [0xfc, 8, 1, 0], [0xfc, 9, 1], [0x3f, 0], [0x40, 0]),
    );
    const mapArb = fc.tuple(fc.nat(20), fc.integer({ min: -20, max: 20 }), fc.constantFrom(5, 200, 40_000)).map(([n, d, at]) => boxLike(n, d, at));

    it('writes what rewriteExpr writes whenever it does not decline', () => {
      let taken = 0;
      fc.assert(fc.property(fc.array(instr, { maxLength: 60 }), mapArb, (instrs, map) => {
        const { fast, slow } = both(body(...instrs), map, scan);
        if (fast) {
          taken++;
          expect(fast).toEqual(slow);
        }
      }), { numRuns: 400 });
      expect(taken).toBeGreaterThan(100);
    });
  });
}
