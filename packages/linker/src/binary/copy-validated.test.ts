// copyValidated must write exactly what rewriteExpr writes, or answer false
// and write nothing; these tests compare the two on real programs, on
// hand-made bodies with every immediate it handles padded, and on random
// instruction sequences; and check that what it cannot do (no raw map, loop
// probes, indices outside the raw map, a trap) leaves the body to rewriteExpr,
// while a kernel that does not load is an error.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { rewriteExpr } from './code.ts';
import { copyValidated } from './copy-validated.ts';
import { ByteWriter } from './leb.ts';
import { identityMap, type IndexMap, type RawIndexMap } from './module.ts';
import { readModule } from './reader.ts';
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
const raws = new WeakMap<IndexMap, Map<number, IndexMap>>();
function withRaw(map: IndexMap, n = 1024): IndexMap {
  let sized = raws.get(map);
  if (!sized) raws.set(map, (sized = new Map()));
  let mapped = sized.get(n);
  if (!mapped) {
    const many = 1 << 30;
    const raw: RawIndexMap = {
      funcs: Int32Array.from({ length: n }, (_, i) => map.func(i)), types: Array.from({ length: 1024 }, (_, i) => map.type(i)),
      table: map.table(0), tables: many, memory: map.memory(0), memories: many, global: map.global(0), globals: many, data: map.data(0), datas: many,
    };
    mapped = { ...map, raw };
    sized.set(n, mapped);
  }
  return mapped;
}

/** Both paths on one body: the fast one's bytes (undefined when it declined) and the rewriter's. */
function both(body: Uint8Array, map: IndexMap, functions?: number, raw = withRaw(map, functions)): { fast: Uint8Array | undefined; slow: Uint8Array } {
  const slow = new ByteWriter(4);
  rewriteExpr(body, map, slow);
  const fast = new ByteWriter(4);
  fast.byte(0xaa); // something before the body, as in a code section
  const taken = copyValidated(body, raw, fast);
  expect(fast.buf[0]).toBe(0xaa);
  if (!taken) expect(fast.pos).toBe(1);
  return { fast: taken ? fast.view().slice(1) : undefined, slow: slow.finish() };
}

describe('copyValidated on real programs', () => {
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
          const { fast, slow } = both(code.body, map, imports + m.functions.length);
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

describe('copyValidated on hand-made bodies', () => {
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
      const { fast, slow } = both(body(...instrs), map);
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
      const { fast } = both(body(...instrs), boxLike(3, 0, 40_000));
      expect(fast).toBeUndefined();
    });
  }

  it('declines when the map inserts loop probes', () => {
    const { fast } = both(body([0x03, 0x40], [0x0b]), { ...identityMap, loopProbe: new Uint8Array([0x01]) });
    expect(fast).toBeUndefined();
  });

  it('declines a map without a raw form (the kernel reads nothing else)', () => {
    const { fast } = both(body([0x01]), identityMap, undefined, identityMap);
    expect(fast).toBeUndefined();
  });

  describe('against a part with few of each index (the raw map)', () => {
    // function 2 is not kept; the rewriter's map is the identity, so only the raw map can refuse
    const raw: RawIndexMap = {
      funcs: Int32Array.of(0, 1, -1, 3), types: [0, 1], table: 0, tables: 1, memory: 0, memories: 1, global: 0, globals: 2, data: 0, datas: 1,
    };
    const part = { ...identityMap, raw };
    const inRange: Bytes[] = [[0x10, 3], [0x23, 1], [0x3f, 0], [0xfc, 9, 0], [0x41, 0], [0x11, 1, 0], [0x41, 0], [0x41, 0], [0x41, 0], [0xfc, 8, 0, 0]];
    it('copies indices in range', () => {
      const { fast, slow } = both(body(...inRange), identityMap, undefined, part);
      expect(fast).toEqual(slow);
    });
    const outside: Record<string, Bytes[]> = {
      'a call past the functions': [[0x10, 4]],
      'a call to a function not kept': [[0x10, 2]],
      'a global past the globals': [[0x23, 2]],
      'memory.size of a memory past the memories': [[0x3f, 1]],
      'data.drop past the data segments': [[0xfc, 9, 1]],
      'call_indirect with a type past the types': [[0x41, 0], [0x11, 2, 0]],
      'call_indirect with a table past the tables': [[0x41, 0], [0x11, 0, 1]],
      'memory.init of a segment past the data segments': [[0x41, 0], [0x41, 0], [0x41, 0], [0xfc, 8, 1, 0]],
    };
    for (const [name, instrs] of Object.entries(outside)) {
      it(`declines ${name}, writing nothing`, () => {
        expect(both(body(...inRange, ...instrs), identityMap, undefined, part).fast).toBeUndefined();
      });
    }
    it('declines a load or store when the program\'s memory is not the box\'s first', () => {
      const moved = { ...identityMap, raw: { ...raw, memory: 1 } };
      expect(both(body([0x41, 0], [0x28, 2, 0], [0x1a]), identityMap, undefined, moved).fast).toBeUndefined();
    });
  });

  it('copies a body larger than the kernel\'s memory so far (it grows)', () => {
    const { fast, slow } = both(body(...Array.from({ length: 60_000 }, () => [0x10, ...u32(9, 5)])), map);
    expect(slow.length).toBe(60_000 * 2 + 1);
    expect(fast).toEqual(slow);
  });

  it('declines a body that traps the kernel, writing nothing, and copies the next one', () => {
    // not a validated body: a br_table claiming 2^32 targets, read until the kernel's memory ends
    const out = new ByteWriter(4);
    out.byte(0xaa);
    expect(copyValidated(new Uint8Array([0x0e, ...u32(0xffff_ffff), 0x0b]), withRaw(map), out)).toBe(false);
    expect(out.pos).toBe(1);
    const { fast, slow } = both(body([0x10, ...u32(9, 5)], [0x1a]), map);
    expect(fast).toEqual(slow);
  });
});

it('a kernel that does not compile is an error, not a silent turn to the rewriter', async () => {
  vi.resetModules();
  vi.doMock('../wasm.ts', () => ({ wasm: () => new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x09, 0x00, 0x00, 0x00]) }));
  try {
    const fresh = await import('./copy-validated.ts');
    expect(() => fresh.copyValidated(body([0x01]), withRaw(identityMap), new ByteWriter(4))).toThrow(WebAssembly.CompileError);
  } finally {
    vi.doUnmock('../wasm.ts');
    vi.resetModules();
  }
});

describe('copyValidated on random instruction sequences', () => {
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
      const { fast, slow } = both(body(...instrs), map);
      if (fast) {
        taken++;
        expect(fast).toEqual(slow);
      }
    }), { numRuns: 400 });
    expect(taken).toBeGreaterThan(100);
  });
});
