// The fast path of the code rewriter, for bodies of a module the engine has
// validated (link() runs WebAssembly.validate on the program first).
//
// A large program's code is nearly all copied as it is: of its immediates only
// function indices change (the box's imports differ from the program's), plus
// the LEBs a linker padded to five bytes for relocations, which the rewriter
// writes minimally. So the body is copied in one block and then only those
// immediates are re-encoded in place; as every rewrite here makes an immediate
// shorter or keeps its length, the bytes after it move left within the output,
// never past what is still to be read. The result is byte for byte what
// rewriteExpr writes (copy-validated.test.ts checks it on every function of
// the test programs).
//
// Validation is what makes the shortcut sound: the encodings are known to be
// well formed, so the scan skips what rewriteExpr checks byte by byte. Any
// instruction outside the common set (SIMD, atomics, exceptions, tables,
// references, an explicit memory index), and any rewrite that would make an
// immediate longer, makes copyValidated answer false, having written nothing:
// the caller then runs rewriteExpr on that body.

import type { ByteWriter } from './leb.ts';
import { Imm, MISC_IMM, OPCODE_IMM } from './opcodes.ts';
import type { IndexMap } from './module.ts';
import { kernelCopy } from './scan-kernel.ts';

// The body being copied, as state shared by the helpers below (one copy at a time).
let src: Uint8Array = new Uint8Array(0);
let dst: Uint8Array = new Uint8Array(0);
/** where the body's copy starts in dst */
let base = 0;
/** dst is final below w */
let w = 0;
/** body bytes from r0 on still sit where the block copy put them, at base + r0 */
let r0 = 0;
/** end of the LEB the last uleb() read, and whether it was longer than needed */
let next = 0;
let padded = false;

/** The unsigned LEB (at most 32 bits) at src[p]; sets `next` and `padded`. */
function uleb(p: number): number {
  let b = src[p++]!;
  if (b < 0x80) {
    next = p;
    padded = false;
    return b;
  }
  let v = b & 0x7f;
  let shift = 7;
  for (;;) {
    b = src[p++]!;
    if (shift === 28) {
      v = (v >>> 0) + (b & 0x0f) * 0x10000000;
      break;
    }
    v |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  next = p;
  padded = b === 0;
  return v >>> 0;
}

/** Moves the copied bytes up to body offset `s` to their final place. */
function settle(s: number): void {
  const n = s - r0;
  const from = base + r0;
  if (w !== from && n > 0) {
    if (n <= 24) for (let i = 0; i < n; i++) dst[w + i] = dst[from + i]!;
    else dst.copyWithin(w, from, from + n);
  }
  w += n;
}

/** Replaces the immediate at body offsets [s, e) by the unsigned LEB of v; false if that would be longer. */
function putU(s: number, e: number, v: number): boolean {
  let k = 1;
  for (let x = v; x >= 0x80; x = Math.floor(x / 128)) k++;
  if (k > e - s) return false;
  settle(s);
  while (v >= 0x80) {
    dst[w++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  dst[w++] = v;
  r0 = e;
  return true;
}

/** Re-encodes the signed LEB at [s, e) minimally (it holds the same value): drops groups that only repeat its sign. */
function trimS(s: number, e: number): void {
  let keep = e - s;
  while (keep > 1) {
    const g = src[s + keep - 1]! & 0x7f;
    const prev = src[s + keep - 2]! & 0x40;
    if ((g === 0 && prev === 0) || (g === 0x7f && prev !== 0)) keep--;
    else break;
  }
  if (keep === e - s) return;
  settle(s);
  for (let i = 0; i < keep - 1; i++) dst[w++] = src[s + i]! | 0x80;
  dst[w++] = src[s + keep - 1]! & 0x7f;
  r0 = e;
}

/** The same for an unsigned LEB: drops trailing zero groups. */
function trimU(s: number, e: number): void {
  let keep = e - s;
  while (keep > 1 && (src[s + keep - 1]! & 0x7f) === 0) keep--;
  if (keep === e - s) return;
  settle(s);
  for (let i = 0; i < keep - 1; i++) dst[w++] = src[s + i]! | 0x80;
  dst[w++] = src[s + keep - 1]! & 0x7f;
  r0 = e;
}

/**
 * The index immediate at [s, e), read as v (uleb set `padded`), becomes m:
 * the position after it, or -1 when m cannot be written in place.
 */
function remap(s: number, e: number, v: number, m: number): number {
  if (m === v && !padded) return e;
  return putU(s, e, m) ? e : -1;
}

/** Whether the signed LEB ending at q (started at p) is longer than its value needs. */
function signedPadded(buf: Uint8Array, p: number, q: number): boolean {
  if (q - p < 2) return false;
  const last = buf[q - 1]!;
  const prev = buf[q - 2]! & 0x40;
  return (last === 0 && prev === 0) || (last === 0x7f && prev !== 0);
}

/**
 * Writes `body` (instructions after the locals, through the final `end`) to
 * `out` with its indices mapped through `map`, exactly as rewriteExpr would.
 * Only for bodies of a module that passed WebAssembly.validate. Answers false,
 * leaving `out` as it was, when the body needs the full rewriter.
 */
export function copyValidated(body: Uint8Array, map: IndexMap, out: ByteWriter): boolean {
  if (map.loopProbe) return false;
  // The same scan in WebAssembly where it is available (scan-kernel.ts): no JIT to warm up.
  return kernelCopy(body, map, out) ?? copyValidatedJs(body, map, out);
}

/** copyValidated in JavaScript: where the kernel is not available, and what the kernel is tested against. */
export function copyValidatedJs(body: Uint8Array, map: IndexMap, out: ByteWriter): boolean {
  if (map.loopProbe) return false;
  const len = body.length;
  out.reserve(len);
  src = body;
  dst = out.buf;
  base = out.pos;
  dst.set(body, base);
  w = base;
  r0 = 0;
  const ok = scan(body, len, map);
  src = dst = EMPTY;
  if (!ok) return false;
  out.pos = w;
  return true;
}

const EMPTY = new Uint8Array(0);

/** The scan of copyValidated: re-encodes what changes, in place; false to leave the body to rewriteExpr. */
function scan(buf: Uint8Array, len: number, map: IndexMap): boolean {
  const imm = OPCODE_IMM;
  let memoryZero = -1;
  let p = 0;
  while (p < len) {
    const op = buf[p++]!;
    // local.get/set/tee with a one-byte index: a quarter of a typical body
    if (op >= 0x20 && op <= 0x22 && buf[p]! < 0x80) {
      p++;
      continue;
    }
    switch (imm[op]) {
      case Imm.None:
      case Imm.End:
        break;
      case Imm.I32:
      case Imm.I64: {
        let q = p;
        while (buf[q++]! & 0x80);
        if (signedPadded(buf, p, q)) trimS(p, q);
        p = q;
        break;
      }
      case Imm.MemArg: {
        const flags = buf[p]!;
        // an explicit memory index, or padded flags: the rewriter writes the compact form
        if (flags >= 0x40) return false;
        if (memoryZero < 0) memoryZero = map.memory(0);
        if (memoryZero !== 0) return false;
        const s = p + 1;
        let q = s;
        while (buf[q++]! & 0x80);
        if (q - s > 1 && buf[q - 1] === 0) trimU(s, q);
        p = q;
        break;
      }
      case Imm.Local:
      case Imm.Label: {
        let q = p;
        while (buf[q++]! & 0x80);
        if (q - p > 1 && buf[q - 1] === 0) trimU(p, q);
        p = q;
        break;
      }
      case Imm.Func: {
        const v = uleb(p);
        p = remap(p, next, v, map.func(v));
        break;
      }
      case Imm.Global: {
        const v = uleb(p);
        p = remap(p, next, v, map.global(v));
        break;
      }
      case Imm.BlockType: {
        const b = buf[p]!;
        // a value type or none; a type index (multi-value blocks, a signed LEB) is left to the rewriter
        if ((b & 0xc0) !== 0x40 || b === 0x63 || b === 0x64) return false;
        p++;
        break;
      }
      case Imm.F32:
        p += 4;
        break;
      case Imm.F64:
        p += 8;
        break;
      case Imm.Memory: {
        const v = uleb(p);
        p = remap(p, next, v, map.memory(v));
        break;
      }
      case Imm.CallIndirect: {
        const type = uleb(p);
        p = remap(p, next, type, map.type(type));
        if (p < 0) return false;
        const table = uleb(p);
        p = remap(p, next, table, map.table(table));
        break;
      }
      case Imm.BrTable: {
        const n = uleb(p);
        let e = next;
        if (padded) trimU(p, e);
        for (let i = 0; i <= n; i++) {
          const s = e;
          while (buf[e++]! & 0x80);
          if (e - s > 1 && buf[e - 1] === 0) trimU(s, e);
        }
        p = e;
        break;
      }
      case Imm.PrefixFC: {
        const sub = uleb(p);
        const e = next;
        if (padded) trimU(p, e);
        p = e;
        switch (sub < MISC_IMM.length ? MISC_IMM[sub] : Imm.Invalid) {
          case Imm.None:
            break;
          case Imm.Memory: {
            const v = uleb(p);
            p = remap(p, next, v, map.memory(v));
            break;
          }
          case Imm.MemoryCopy: {
            const to = uleb(p);
            p = remap(p, next, to, map.memory(to));
            if (p < 0) return false;
            const from = uleb(p);
            p = remap(p, next, from, map.memory(from));
            break;
          }
          case Imm.MemoryInit: {
            const data = uleb(p);
            p = remap(p, next, data, map.data(data));
            if (p < 0) return false;
            const memory = uleb(p);
            p = remap(p, next, memory, map.memory(memory));
            break;
          }
          case Imm.Data: {
            const v = uleb(p);
            p = remap(p, next, v, map.data(v));
            break;
          }
          default:
            return false;
        }
        break;
      }
      default:
        return false;
    }
    if (p < 0) return false;
  }
  if (p !== len) return false;
  settle(len);
  return true;
}
