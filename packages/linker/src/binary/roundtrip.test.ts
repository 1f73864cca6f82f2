import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readModule } from './reader.ts';
import { writeModule } from './writer.ts';
import { WasmFormatError } from './errors.ts';
import { heapTypeOf, mapValType, refType } from './code.ts';
import { identityMap } from './module.ts';
import { custom, func, hex, s32, section, str, u32, vec, wasm, type Bytes } from './test-helpers.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url)));

const FUNCREF = 0x70;
const I32 = 0x7f;
const end = 0x0b;
const i32c = (v: number) => [0x41, ...s32(v), end];

/**
 * A module with every section kind. `p` pads every LEB outside code bodies and
 * constant expressions (section sizes, counts, indices) to p bytes.
 */
function everySection(p = 0): Uint8Array<ArrayBuffer> {
  const U = (v: number) => u32(v, p);
  const V = (items: Bytes[]) => vec(items, p);
  const S = (id: number, body: Bytes) => section(id, body, p);
  const name = (s: string) => {
    const b = [...new TextEncoder().encode(s)];
    return [...U(b.length), ...b];
  };
  return wasm(
    custom('first', [1, 2, 3]),
    S(1, V([[0x60, ...U(0), ...U(0)], [0x60, ...U(1), I32, ...U(1), I32], [0x60, ...U(1), I32, ...U(0)]])),
    custom('after-type', []),
    S(2, V([
      [...name('env'), ...name('f'), 0x00, ...U(1)],
      [...name('env'), ...name('t'), 0x01, FUNCREF, 0x00, ...U(10)],
      [...name('env'), ...name('m'), 0x02, 0x01, ...U(1), ...U(2)],
      [...name('env'), ...name('g'), 0x03, I32, 0x00],
      [...name('env'), ...name('e'), 0x04, 0x00, ...U(2)],
    ])),
    S(3, V([U(0), U(1)])),
    S(4, V([[FUNCREF, 0x00, ...U(10)], [0x40, 0x00, FUNCREF, 0x01, ...U(1), ...U(4), 0xd2, 0x01, end]])),
    S(5, V([[0x00, ...U(1)], [0x03, ...U(1), ...U(4)]])),
    S(13, V([[0x00, ...U(2)]])),
    S(6, V([
      [I32, 0x01, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x41, 0x02, 0x6c, end],
      [FUNCREF, 0x00, 0xd2, 0x02, end],
    ])),
    custom('middle', [9]),
    S(7, V([
      [...name('run'), 0x00, ...U(1)],
      [...name('tab'), 0x01, ...U(1)],
      [...name('mem2'), 0x02, ...U(1)],
      [...name('glob'), 0x03, ...U(0)],
      [...name('tag'), 0x04, ...U(0)],
      [...name('ünïcode'), 0x00, ...U(2)],
    ])),
    S(8, U(1)),
    S(9, V([
      [...U(0), ...i32c(0), ...V([U(1), U(2)])],
      [...U(1), 0x00, ...V([U(1)])],
      [...U(2), ...U(1), ...i32c(1), 0x00, ...V([U(2)])],
      [...U(3), 0x00, ...V([U(1), U(2)])],
      [...U(4), ...i32c(2), ...V([[0xd2, 0x01, end], [0xd0, FUNCREF, end]])],
      [...U(5), FUNCREF, ...V([[0xd2, 0x02, end]])],
      [...U(6), ...U(1), ...i32c(3), FUNCREF, ...V([[0xd2, 0x00, end]])],
      [...U(7), FUNCREF, ...V([[0xd2, 0x01, end]])],
    ])),
    S(12, U(3)),
    S(10, V([
      func([], [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x08, 0x01, 0x01, 0xfc, 0x09, 0x01, end]),
      func([[2, I32], [1, 0x7e]], [0x20, 0x00, 0x10, 0x00, 0x28, 0x42, 0x01, 0x00, end]),
    ])),
    S(11, V([
      [...U(0), ...i32c(16), ...name('abc')],
      [...U(1), ...name('passive')],
      [...U(2), ...U(1), ...i32c(8), ...name('second memory')],
    ])),
    custom('last', [0xff, 0x00]),
  );
}

describe('readModule / writeModule round trip', () => {
  it('covers every section kind, byte for byte', () => {
    const x = everySection();
    expect(WebAssembly.validate(x)).toBe(true);
    const m = readModule(x);
    expect(m.imports.map((i) => i.desc.kind)).toEqual(['func', 'table', 'memory', 'global', 'tag']);
    expect(m.tables[1]!.init).toBeDefined();
    expect(m.memories[1]).toEqual({ min: 1n, max: 4n, shared: true });
    expect(m.tags).toEqual([{ attribute: 0, type: 2 }]);
    expect(m.elements.map((e) => e.mode.kind)).toEqual(['active', 'passive', 'active', 'declarative', 'active', 'passive', 'active', 'declarative']);
    expect(m.elements.map((e) => (e.funcs ? 'funcs' : 'exprs'))).toEqual(['funcs', 'funcs', 'funcs', 'funcs', 'exprs', 'exprs', 'exprs', 'exprs']);
    expect(m.data.map((d) => d.mode.kind === 'active' ? d.mode.memory : 'p')).toEqual([0, 'p', 1]);
    expect(m.dataCount).toBe(3);
    expect(m.start).toBe(1);
    expect(m.customs.map((c) => [c.name, c.after])).toEqual([['first', 0], ['after-type', 1], ['middle', 6], ['last', 11]]);
    expect(m.exports.at(-1)!.name).toBe('ünïcode');
    expect(m.codes[1]!.locals).toEqual([{ count: 2, type: I32 }, { count: 1, type: 0x7e }]);
    expect(hex(writeModule(m))).toBe(hex(x));
  });

  it('accepts padded LEBs (sizes, counts, indices) and writes them minimally', () => {
    const padded = everySection(5);
    expect(padded.length).toBeGreaterThan(everySection().length + 100);
    expect(WebAssembly.validate(padded)).toBe(true);
    const out = writeModule(readModule(padded));
    expect(hex(out)).toBe(hex(everySection()));
  });

  it('keeps padded immediates inside code bodies as given', () => {
    const x = wasm(
      section(1, vec([[0x60, 0, 0]])),
      section(3, vec([[0], [0]])),
      section(5, vec([[0, 1]])),
      section(10, vec([func([], [0x10, ...u32(1, 5), 0x41, ...u32(0, 5), 0x28, 0x82, 0x80, 0x00, ...u32(4, 3), 0x1a, end]), func([], [end])])),
    );
    expect(WebAssembly.validate(x)).toBe(true);
    const y = writeModule(readModule(x));
    expect(hex(y)).toBe(hex(x));
  });

  it('round-trips reference types with heap type indices and memory64 / page-size limits', () => {
    const bytes = wasm(
      section(1, vec([[0x60, 1, 0x64, 0x00, 1, 0x63, 0x70]])),
      section(3, vec([[0]])),
      section(4, vec([[0x63, 0x00, 0x04, 0x01]])),
      section(5, vec([[0x05, 0x01, 0x02], [0x08, 0x01, 0x00]])),
      // one local of type (ref null 0), body `ref.null 0; drop; local.get 0; end`
      section(10, vec([[10, 1, 1, 0x63, 0x00, 0xd0, 0x00, 0x1a, 0x20, 0x01, end]])),
    );
    const m = readModule(bytes);
    expect(m.memories).toEqual([{ min: 1n, max: 2n, is64: true }, { min: 1n, pageSizeLog2: 0 }]);
    expect(m.tables[0]!.type.limits).toEqual({ min: 1n, is64: true });
    expect(m.codes[0]!.locals[0]!.count).toBe(1);
    expect(m.types[0]!.params[0]).not.toBe(0x64);
    expect(heapTypeOf(m.types[0]!.params[0]!)).toBe(0);
    expect(heapTypeOf(m.types[0]!.results[0]!)).toBe(-16);
    expect(mapValType(m.codes[0]!.locals[0]!.type, { ...identityMap, type: (i) => i + 200 })).toBe(refType(true, 200));
    expect(hex(writeModule(m))).toBe(hex(bytes));
  });

  for (const name of ['hello.wasm', 'as-module.wasm']) {
    it(`reproduces ${name} exactly`, () => {
      const x = fixture(name);
      const y = writeModule(readModule(x));
      expect(WebAssembly.validate(y)).toBe(true);
      expect(y.length).toBe(x.length);
      expect(hex(y)).toBe(hex(x));
    });
  }

  it('places customs recorded after an omitted section where it would have been', () => {
    const m = readModule(everySection());
    m.start = undefined;
    m.exports = [];
    m.customs.push({ name: 'after-start', bytes: new Uint8Array(), after: 8 });
    const back = readModule(writeModule(m));
    expect(back.customs.map((c) => [c.name, c.after])).toEqual([['first', 0], ['after-type', 1], ['middle', 6], ['after-start', 6], ['last', 11]]);
  });
});

describe('malformed input', () => {
  const bad = (bytes: Uint8Array, msg: RegExp) => {
    expect(() => readModule(bytes), String(msg)).toThrow(WasmFormatError);
    expect(() => readModule(bytes)).toThrow(msg);
  };

  it('names the problem and the offset', () => {
    bad(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), /unknown binary version/);
    bad(wasm([3, 3, 2, 0, 0x80]), /^malformed wasm at 0xd in the function section: unexpected end of section$/);
    bad(wasm(section(1, vec([[0x4e, 0x01, 0x60, 0, 0]]))), /GC type definitions/);
    bad(wasm(section(1, vec([[0x5f, 0]]))), /GC type definitions/);
    bad(wasm(section(3, vec([[0]])), section(1, vec([]))), /out of order/);
    bad(wasm(section(1, vec([])), section(1, vec([]))), /duplicate section/);
    bad(wasm(section(14, [])), /unknown section id 14/);
    bad(wasm(section(1, vec([[0x60, 0, 0]])), section(3, vec([[0]]))), /inconsistent lengths/);
    bad(wasm(section(7, vec([[...str('x'), 0x05, 0]]))), /invalid export kind/);
    bad(wasm(section(7, [1, 2, 0xc3, 0x28, 0, 0])), /malformed UTF-8/);
    bad(wasm(section(0, [3, 0xff, 0xfe, 0xfd])), /malformed UTF-8/);
    bad(wasm(section(12, [2]), section(11, vec([[1, 0]]))), /data count/);
    bad(wasm(section(1, [0x01, 0x60, 0, 0, 0x00])), /section size mismatch/);
    bad(wasm(section(1, [0xff, 0xff, 0xff, 0xff, 0x0f])), /vector length/);
    bad(wasm([1, 0xff, 0xff, 0xff, 0xff, 0x0f]), /section size out of bounds/);
    bad(wasm(section(5, vec([[0x10, 1]]))), /invalid limits flags/);
    bad(wasm(section(9, vec([[8]]))), /element segment flags/);
    bad(wasm(section(11, vec([[3]]))), /data segment flags/);
    bad(wasm(section(6, vec([[I32, 0, 0x41, 0, 0x27, end]]))), /unknown opcode 0x27/);
  });

  it('every truncation of a small module gives WasmFormatError or a valid module', () => {
    const x = everySection();
    for (let n = 0; n < x.length; n++) {
      const t = x.subarray(0, n);
      let m: ReturnType<typeof readModule>;
      try {
        m = readModule(t);
      } catch (e) {
        expect(e, `truncated at ${n}`).toBeInstanceOf(WasmFormatError);
        continue;
      }
      // only cuts at a section boundary parse; they must still be valid wasm
      expect(WebAssembly.validate(writeModule(m)), `truncated at ${n}`).toBe(true);
    }
  });

  it('random byte flips of the clang fixture never throw anything but WasmFormatError', async () => {
    const { rewriteExpr, rewriteConstExpr } = await import('./code.ts');
    const { ByteWriter } = await import('./leb.ts');
    const { identityMap } = await import('./module.ts');
    const x = fixture('hello.wasm');
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let rejected = 0;
    const w = new ByteWriter();
    for (let i = 0; i < 400; i++) {
      const y = x.slice();
      const flips = 1 + rand(4);
      for (let k = 0; k < flips; k++) y[rand(y.length)] = rand(256);
      try {
        const m = readModule(y);
        for (const c of m.codes) { w.reset(); rewriteExpr(c.body, identityMap, w); }
        for (const g of m.globals) { w.reset(); rewriteConstExpr(g.init, identityMap, w); }
        writeModule(m);
      } catch (e) {
        if (!(e instanceof WasmFormatError)) throw e;
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
