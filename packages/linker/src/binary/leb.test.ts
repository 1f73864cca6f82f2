import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, copyLeb, sizeU32 } from './leb.ts';
import { WasmFormatError } from './errors.ts';

const r = (...b: number[]) => new ByteReader(new Uint8Array(b));
const bytesOf = (f: (w: ByteWriter) => void) => {
  const w = new ByteWriter(4);
  f(w);
  return [...w.finish()];
};

describe('LEB128', () => {
  it('round-trips u32, s32, s33, u64, s64', () => {
    const u = [0, 1, 63, 64, 127, 128, 300, 0x3fff, 0x4000, 0x1fffff, 0x200000, 0x0fffffff, 0x10000000, 0xffffffff];
    for (const v of u) {
      const b = bytesOf((w) => w.u32(v));
      expect(b.length).toBe(sizeU32(v));
      expect(r(...b).u32()).toBe(v);
    }
    const s = [0, 1, -1, 63, 64, -64, -65, 8191, -8192, 0x7fffffff, -0x80000000, 123456789, -987654321];
    for (const v of s) {
      const rd = r(...bytesOf((w) => w.s32(v)));
      expect(rd.s32()).toBe(v);
      expect(rd.eof()).toBe(true);
    }
    for (const v of [0, -1, -64, 0x7fffffff, 0xffffffff, -0x100000000, 2 ** 32 - 1, -(2 ** 31) - 5]) {
      expect(r(...bytesOf((w) => w.s33(v))).s33()).toBe(v);
    }
    for (const v of [0n, 1n, 127n, 128n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n]) {
      expect(r(...bytesOf((w) => w.u64(v))).u64()).toBe(v);
    }
    for (const v of [0n, -1n, 63n, -64n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, -123456789012345n]) {
      expect(r(...bytesOf((w) => w.s64(v))).s64()).toBe(v);
    }
  });

  it('writes minimal encodings', () => {
    expect(bytesOf((w) => w.u32(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytesOf((w) => w.s32(-123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(bytesOf((w) => w.s32(64))).toEqual([0xc0, 0x00]);
    expect(bytesOf((w) => w.s33(64))).toEqual([0xc0, 0x00]);
    expect(bytesOf((w) => w.s64(-1n))).toEqual([0x7f]);
  });

  it('accepts padded encodings within the byte limit', () => {
    expect(r(0x80, 0x80, 0x80, 0x80, 0x00).u32()).toBe(0);
    expect(r(0x81, 0x80, 0x00).u32()).toBe(1);
    expect(r(0xff, 0xff, 0xff, 0xff, 0x0f).u32()).toBe(0xffffffff);
    expect(r(0xff, 0xff, 0xff, 0xff, 0x7f).s32()).toBe(-1);
    expect(r(0xff, 0x7f).s32()).toBe(-1);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x78).s32()).toBe(-0x80000000);
    expect(r(0xff, 0xff, 0xff, 0xff, 0x7f).s33()).toBe(-1);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x70).s33()).toBe(-0x100000000);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x0f).s33()).toBe(0xf0000000);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u64()).toBe(0n);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).u64()).toBe(2n ** 63n);
    expect(r(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f).s64()).toBe(-1n);
  });

  it('rejects overlong and overflowing encodings', () => {
    const bad: Array<[string, number[]]> = [
      ['u32', [0x80, 0x80, 0x80, 0x80, 0x80, 0x00]],
      ['u32', [0x80, 0x80, 0x80, 0x80, 0x10]],
      ['u32', [0xff, 0xff, 0xff, 0xff, 0x1f]],
      ['s32', [0x80, 0x80, 0x80, 0x80, 0x08]],
      ['s32', [0xff, 0xff, 0xff, 0xff, 0x77]],
      ['s32', [0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
      ['s33', [0x80, 0x80, 0x80, 0x80, 0x20]],
      ['s33', [0x80, 0x80, 0x80, 0x80, 0x10]],
      ['u64', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]],
      ['u64', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]],
      ['s64', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
      ['s64', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e]],
      ['u32', [0x80, 0x80]],
      ['s64', []],
    ];
    for (const [kind, b] of bad) {
      const rd = r(...b);
      const read = () => (rd as unknown as Record<string, () => unknown>)[kind]!.call(rd);
      expect(read, `${kind} ${b}`).toThrow(WasmFormatError);
    }
  });

  it('reports absolute offsets', () => {
    const rd = new ByteReader(new Uint8Array([1, 2, 0x80]), 2, 3, 0x100);
    try {
      rd.u32();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WasmFormatError);
      expect((e as WasmFormatError).offset).toBe(0x103);
      expect((e as Error).message).toBe('malformed wasm at 0x103: unexpected end');
    }
  });

  it('copyLeb re-encodes 64-bit immediates minimally', () => {
    const cases: Array<[number[], boolean, number[]]> = [
      [[0x80, 0x80, 0x00], false, [0x00]],
      [[0xe5, 0x8e, 0xa6, 0x80, 0x80, 0x00], false, [0xe5, 0x8e, 0x26]],
      [[0xff, 0xff, 0x7f], true, [0x7f]],
      [[0xc0, 0x80, 0x00], true, [0xc0, 0x00]],
      [[0xc0, 0xff, 0x7f], true, [0x40]],
      [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00], true, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]],
    ];
    for (const [input, signed, want] of cases) {
      const w = new ByteWriter();
      const rd = r(...input);
      copyLeb(rd, w, 64, signed);
      expect([...w.finish()]).toEqual(want);
      expect(rd.eof()).toBe(true);
    }
    for (let i = 0; i < 2000; i++) {
      const v = BigInt.asIntN(64, BigInt(Math.floor(Math.random() * 2 ** 32)) << BigInt(i % 40) ^ BigInt(i));
      const w = new ByteWriter();
      w.s64(v);
      const out = new ByteWriter();
      copyLeb(new ByteReader(w.finish()), out, 64, true);
      expect([...out.finish()]).toEqual([...w.finish()]);
    }
  });

  it('ByteWriter grows and writes raw floats and names', () => {
    const w = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) w.u32(i * 1000);
    w.f32(1.5);
    w.f64(-2.25);
    w.name('hé');
    const rd = new ByteReader(w.finish());
    for (let i = 0; i < 1000; i++) expect(rd.u32()).toBe(i * 1000);
    expect(rd.f32()).toBe(1.5);
    expect(rd.f64()).toBe(-2.25);
    expect(rd.name()).toBe('hé');
    expect(() => r(2, 0xc3, 0x28).name()).toThrow(WasmFormatError);
  });
});
