// LEB128 and byte-level I/O. Readers accept padded encodings up to the spec's
// byte limit (ceil(N/7) bytes) and reject anything longer or whose unused high
// bits in the last byte are not a zero- (unsigned) or sign- (signed) extension.
// Writers always produce the minimal encoding.

import { WasmFormatError } from './errors.ts';

// fatal: invalid UTF-8 must be rejected, not replaced with U+FFFD.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export class ByteReader {
  readonly buf: Uint8Array;
  pos: number;
  end: number;
  /** added to positions in error offsets, for readers over a slice of a module */
  base: number;
  /** message for running past `end` */
  eofMessage = 'unexpected end';

  constructor(buf: Uint8Array, pos = 0, end = buf.length, base = 0) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.base = base;
  }

  fail(detail: string, at: number = this.pos): never {
    throw new WasmFormatError(detail, this.base + at);
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) this.fail(this.eofMessage);
    return this.buf[this.pos++]!;
  }

  peek(): number {
    if (this.pos >= this.end) this.fail(this.eofMessage);
    return this.buf[this.pos]!;
  }

  u32(): number {
    const buf = this.buf;
    let p = this.pos;
    if (p < this.end) {
      const b = buf[p]!;
      if (b < 0x80) { this.pos = p + 1; return b; }
    }
    const start = p;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (p >= this.end) this.fail(this.eofMessage, p);
      const b = buf[p++]!;
      if (shift === 28) {
        if (b & 0x80) this.fail('integer representation too long', start);
        if (b > 0x0f) this.fail('integer too large', start);
        result += b * 0x10000000;
        break;
      }
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    this.pos = p;
    return result;
  }

  s32(): number {
    const buf = this.buf;
    let p = this.pos;
    const start = p;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (p >= this.end) this.fail(this.eofMessage, p);
      const b = buf[p++]!;
      if (shift === 28) {
        if (b & 0x80) this.fail('integer representation too long', start);
        // bits 3..6 must all equal bit 3 (the sign bit 31)
        const hi = b & 0x78;
        if (hi !== 0 && hi !== 0x78) this.fail('integer too large', start);
        result |= b << 28;
        break;
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        if (shift < 32 && (b & 0x40)) result |= -1 << shift;
        break;
      }
    }
    this.pos = p;
    return result | 0;
  }

  /** Signed 33-bit (block types, heap types); returned as a double. */
  s33(): number {
    const buf = this.buf;
    let p = this.pos;
    const start = p;
    let result = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (p >= this.end) this.fail(this.eofMessage, p);
      const b = buf[p++]!;
      if (i === 4) {
        if (b & 0x80) this.fail('integer representation too long', start);
        const hi = b & 0x70;
        if (hi !== 0 && hi !== 0x70) this.fail('integer too large', start);
        result += (b & 0x7f) * mul;
        if (b & 0x40) result -= mul * 128;
        break;
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= mul;
        break;
      }
    }
    this.pos = p;
    return result;
  }

  u64(): bigint {
    const buf = this.buf;
    let p = this.pos;
    const start = p;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (p >= this.end) this.fail(this.eofMessage, p);
      const b = buf[p++]!;
      if (i === 9) {
        if (b & 0x80) this.fail('integer representation too long', start);
        if (b > 1) this.fail('integer too large', start);
        result |= BigInt(b) << shift;
        break;
      }
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
    }
    this.pos = p;
    return result;
  }

  s64(): bigint {
    const buf = this.buf;
    let p = this.pos;
    const start = p;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (p >= this.end) this.fail(this.eofMessage, p);
      const b = buf[p++]!;
      if (i === 9) {
        if (b & 0x80) this.fail('integer representation too long', start);
        if (b !== 0 && b !== 0x7f) this.fail('integer too large', start);
        result |= BigInt(b & 1) << shift;
        break;
      }
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift;
        break;
      }
    }
    this.pos = p;
    return BigInt.asIntN(64, result);
  }

  /** A view (not a copy) of the next n bytes. */
  take(n: number): Uint8Array {
    if (n > this.end - this.pos) this.fail(this.eofMessage);
    // the constructor, not subarray(): no species lookup, several times faster for the view per function of a large program
    const v = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.pos, n);
    this.pos += n;
    return v;
  }

  name(): string {
    const len = this.u32();
    const at = this.pos;
    const bytes = this.take(len);
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      return this.fail('malformed UTF-8 encoding', at);
    }
  }

  f32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  }

  f64(): number {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

export class ByteWriter {
  buf: Uint8Array<ArrayBuffer>;
  pos = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  get length(): number {
    return this.pos;
  }

  /** Make room for n more bytes. */
  reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.reserve(1);
    this.buf[this.pos++] = b;
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Copy src[start, end) verbatim. */
  range(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    // short copies (immediates) beat the subarray + set overhead
    if (n <= 16) for (let i = start; i < end; i++) buf[p++] = src[i]!;
    else { buf.set(src.subarray(start, end), p); p += n; }
    this.pos = p;
  }

  u32(v: number): void {
    this.reserve(5);
    const buf = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
  }

  s32(v: number): void {
    this.reserve(5);
    const buf = this.buf;
    let p = this.pos;
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        buf[p++] = b;
        break;
      }
      buf[p++] = b | 0x80;
    }
    this.pos = p;
  }

  /** Signed LEB of any safe integer (used for s33). */
  s33(v: number): void {
    if (v === (v | 0)) { this.s32(v); return; }
    // A non-integer would never reach the loop's end condition.
    if (!Number.isInteger(v)) throw new RangeError(`s33: ${v} is not an integer`);
    this.reserve(5);
    for (;;) {
      const b = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.buf[this.pos++] = b;
        break;
      }
      this.buf[this.pos++] = b | 0x80;
    }
  }

  u64(v: bigint): void {
    this.reserve(10);
    v = BigInt.asUintN(64, v);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  s64(v: bigint): void {
    this.reserve(10);
    v = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.buf[this.pos++] = b;
        break;
      }
      this.buf[this.pos++] = b | 0x80;
    }
  }

  name(s: string): void {
    const enc = utf8Encoder.encode(s);
    this.u32(enc.length);
    this.bytes(enc);
  }

  f32(x: number): void {
    scratch.setFloat32(0, x, true);
    this.reserve(4);
    for (let i = 0; i < 4; i++) this.buf[this.pos++] = scratch.getUint8(i);
  }

  f64(x: number): void {
    scratch.setFloat64(0, x, true);
    this.reserve(8);
    for (let i = 0; i < 8; i++) this.buf[this.pos++] = scratch.getUint8(i);
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.pos);
  }

  /** A view of the bytes written so far (invalidated by further writes). */
  view(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}

/** Bytes in the minimal unsigned LEB128 encoding of v (< 2^32). */
export function sizeU32(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/**
 * Copy an unsigned or signed LEB of up to `bits` bits from r to w, re-encoded
 * minimally, without decoding it to a number or bigint: the 64-bit immediates
 * (i64.const, memory64 offsets) are frequent and bigint would allocate.
 */
export function copyLeb(r: ByteReader, w: ByteWriter, bits: number, signed: boolean): void {
  const buf = r.buf;
  const start = r.pos;
  const maxBytes = Math.ceil(bits / 7);
  let p = start;
  for (let i = 0; ; i++) {
    if (p >= r.end) r.fail(r.eofMessage, p);
    const b = buf[p++]!;
    if ((b & 0x80) === 0) break;
    if (i === maxBytes - 1) r.fail('integer representation too long', start);
  }
  const n = p - start;
  if (n === maxBytes) {
    const used = bits - 7 * (maxBytes - 1);
    const last = buf[p - 1]!;
    const extra = 0x7f & ~((1 << used) - 1);
    if (signed) {
      const signBit = (last >> (used - 1)) & 1;
      if ((last & extra) !== (signBit ? extra : 0)) r.fail('integer too large', start);
    } else if (last & extra) r.fail('integer too large', start);
  }
  r.pos = p;
  // drop trailing groups that only repeat the extension of the group before
  let keep = n;
  if (signed) {
    while (keep > 1) {
      const g = buf[start + keep - 1]! & 0x7f;
      const prev = buf[start + keep - 2]! & 0x40;
      if ((g === 0 && prev === 0) || (g === 0x7f && prev !== 0)) keep--;
      else break;
    }
  } else {
    while (keep > 1 && (buf[start + keep - 1]! & 0x7f) === 0) keep--;
  }
  w.reserve(keep);
  const out = w.buf;
  let q = w.pos;
  for (let i = 0; i < keep - 1; i++) out[q++] = buf[start + i]! | 0x80;
  out[q++] = buf[start + keep - 1]! & 0x7f;
  w.pos = q;
}
