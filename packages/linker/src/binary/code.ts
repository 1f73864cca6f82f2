// The streaming instruction rewriter: copies an encoded instruction sequence,
// remapping index immediates, in a single pass with no intermediate tree. It
// runs over whole code sections of large programs, so the loop allocates
// nothing per instruction and dispatches through the dense tables of
// opcodes.ts.

import { ByteReader, ByteWriter, copyLeb } from './leb.ts';
import { ATOMIC_IMM, Imm, MISC_IMM, OPCODE_IMM, SIMD_IMM, isAbstractHeapType, isValTypeByte } from './opcodes.ts';
import { identityMap, type IndexMap, type ValType } from './module.ts';

/**
 * Copy a function body (instructions after the locals, including the final
 * `end`) to `out`, remapping indices through `map`. `baseOffset` is added to
 * error offsets (pass the body's offset in the module for useful messages).
 */
export function rewriteExpr(body: Uint8Array, map: IndexMap, out: ByteWriter, baseOffset = 0): void {
  const r = new ByteReader(body, 0, body.length, baseOffset);
  out.reserve(body.length + 16);
  rewriteInstrs(r, map, out);
  if (r.pos !== r.end) r.fail('trailing bytes after the final end');
}

/** Same as rewriteExpr for a constant expression (ends with `end`). */
export function rewriteConstExpr(expr: Uint8Array, map: IndexMap, out: ByteWriter, baseOffset = 0): void {
  rewriteExpr(expr, map, out, baseOffset);
}

/** Rewrite `expr` into a fresh array. */
export function rewriteConstExprToBytes(expr: Uint8Array, map: IndexMap): Uint8Array {
  const w = new ByteWriter(expr.length + 8);
  rewriteExpr(expr, map, w);
  return w.finish();
}

const scratch = new ByteWriter(64);

/**
 * Advance `r` past one instruction sequence ending in a top-level `end`,
 * validating its encoding, and return the position after that `end`.
 */
export function skipExpr(r: ByteReader): number {
  scratch.reset();
  rewriteInstrs(r, identityMap, scratch);
  if (scratch.buf.length > 4096) scratch.buf = new Uint8Array(64);
  return r.pos;
}

/** Rewrite instructions from r.pos up to and including the `end` that closes
 * the sequence; leaves r.pos just after it. */
export function rewriteInstrs(r: ByteReader, map: IndexMap, out: ByteWriter): void {
  const buf = r.buf;
  let depth = 0;
  for (;;) {
    const at = r.pos;
    if (at >= r.end) r.fail('unexpected end of expression (missing end)');
    const op = buf[at]!;
    // Fast path for the most common instructions: local.get/set/tee with a
    // one-byte index (a third of a typical C++ body) are copied as they are.
    if (op >= 0x20 && op <= 0x22 && at + 1 < r.end && buf[at + 1]! < 0x80) {
      out.reserve(2);
      out.buf[out.pos++] = op;
      out.buf[out.pos++] = buf[at + 1]!;
      r.pos = at + 2;
      continue;
    }
    r.pos = at + 1;
    let kind = OPCODE_IMM[op]!;
    if (kind >= Imm.PrefixFC) {
      if (kind <= Imm.PrefixFE) {
        const sub = r.u32();
        const t = kind === Imm.PrefixFC ? MISC_IMM : kind === Imm.PrefixFD ? SIMD_IMM : ATOMIC_IMM;
        kind = sub < t.length ? t[sub]! : Imm.Invalid;
        if (kind === Imm.Invalid) r.fail(`unknown opcode 0x${op.toString(16)} 0x${sub.toString(16)}`, at);
        out.byte(op);
        out.u32(sub);
      } else {
        out.byte(op);
      }
    } else {
      if (kind === Imm.Invalid) r.fail(`unknown opcode 0x${op.toString(16)}`, at);
      out.byte(op);
    }
    switch (kind) {
      case Imm.None:
        break;
      case Imm.Local:
      case Imm.Label:
        out.u32(r.u32());
        break;
      case Imm.MemArg:
        memArg(r, map, out);
        break;
      case Imm.I32:
        out.s32(r.s32());
        break;
      case Imm.Global:
        out.u32(map.global(r.u32()));
        break;
      case Imm.Func:
        out.u32(map.func(r.u32()));
        break;
      case Imm.End:
        if (depth === 0) return;
        depth--;
        break;
      case Imm.BlockType:
        blockType(r, map, out);
        depth++;
        if (op === 0x03 && map.loopProbe) out.bytes(map.loopProbe);
        break;
      case Imm.BrTable: {
        const n = r.u32();
        out.u32(n);
        for (let i = 0; i <= n; i++) out.u32(r.u32());
        break;
      }
      case Imm.I64:
        copyLeb(r, out, 64, true);
        break;
      case Imm.F32:
        raw(r, out, 4);
        break;
      case Imm.F64:
        raw(r, out, 8);
        break;
      case Imm.CallIndirect: {
        const type = r.u32();
        out.u32(map.type(type));
        out.u32(map.table(r.u32()));
        break;
      }
      case Imm.Memory:
        out.u32(map.memory(r.u32()));
        break;
      case Imm.Table:
        out.u32(map.table(r.u32()));
        break;
      case Imm.Type:
        out.u32(map.type(r.u32()));
        break;
      case Imm.Tag:
        out.u32(map.tag(r.u32()));
        break;
      case Imm.Delegate:
        if (depth === 0) r.fail('delegate outside of a try block', at);
        depth--;
        out.u32(r.u32());
        break;
      case Imm.SelectT: {
        const n = r.u32();
        out.u32(n);
        for (let i = 0; i < n; i++) valType(r, map, out);
        break;
      }
      case Imm.HeapType:
        heapType(r, map, out);
        break;
      case Imm.TryTable: {
        blockType(r, map, out);
        depth++;
        const n = r.u32();
        out.u32(n);
        for (let i = 0; i < n; i++) {
          const k = r.u8();
          if (k > 3) r.fail(`invalid catch clause kind ${k}`, r.pos - 1);
          out.byte(k);
          if (k < 2) out.u32(map.tag(r.u32()));
          out.u32(r.u32());
        }
        break;
      }
      case Imm.MemoryInit: {
        const data = r.u32();
        out.u32(map.data(data));
        out.u32(map.memory(r.u32()));
        break;
      }
      case Imm.Data:
        out.u32(map.data(r.u32()));
        break;
      case Imm.MemoryCopy: {
        const dst = r.u32();
        out.u32(map.memory(dst));
        out.u32(map.memory(r.u32()));
        break;
      }
      case Imm.TableInit: {
        const elem = r.u32();
        out.u32(map.elem(elem));
        out.u32(map.table(r.u32()));
        break;
      }
      case Imm.Elem:
        out.u32(map.elem(r.u32()));
        break;
      case Imm.TableCopy: {
        const dst = r.u32();
        out.u32(map.table(dst));
        out.u32(map.table(r.u32()));
        break;
      }
      case Imm.MemArgLane:
        memArg(r, map, out);
        raw(r, out, 1);
        break;
      case Imm.V128:
      case Imm.Shuffle:
        raw(r, out, 16);
        break;
      case Imm.Lane:
        raw(r, out, 1);
        break;
      case Imm.Fence:
        if (r.u8() !== 0) r.fail('atomic.fence: expected a zero byte', r.pos - 1);
        out.byte(0);
        break;
      default:
        r.fail(`unknown opcode 0x${op.toString(16)}`, at);
    }
  }
}

function raw(r: ByteReader, out: ByteWriter, n: number): void {
  const p = r.pos;
  if (r.end - p < n) r.fail('unexpected end of immediate');
  out.range(r.buf, p, p + n);
  r.pos = p + n;
}

/** memarg with the multi-memory encoding: bit 6 of the align field says a
 * memory index follows. Index 0 is written in the compact form. */
function memArg(r: ByteReader, map: IndexMap, out: ByteWriter): void {
  const at = r.pos;
  const flags = r.u32();
  if (flags >= 0x80) r.fail('malformed memop flags', at);
  let mem = 0;
  if (flags & 0x40) mem = r.u32();
  const m = map.memory(mem);
  if (m === 0) out.u32(flags & 0x3f);
  else {
    out.u32(flags | 0x40);
    out.u32(m);
  }
  // memory64 offsets are u64
  copyLeb(r, out, 64, false);
}

function blockType(r: ByteReader, map: IndexMap, out: ByteWriter): void {
  const b = r.peek();
  if ((b & 0xc0) === 0x40) {
    r.pos++;
    out.byte(b);
    if (b === 0x63 || b === 0x64) heapType(r, map, out);
    else if (b !== 0x40 && !isValTypeByte(b)) r.fail(`invalid block type 0x${b.toString(16)}`, r.pos - 1);
    return;
  }
  const at = r.pos;
  const v = r.s33();
  if (v < 0) r.fail('invalid block type', at);
  out.s33(map.type(v));
}

function heapType(r: ByteReader, map: IndexMap, out: ByteWriter): void {
  const b = r.peek();
  if ((b & 0xc0) === 0x40) {
    if (!isAbstractHeapType(b)) r.fail(`invalid heap type 0x${b.toString(16)}`);
    r.pos++;
    out.byte(b);
    return;
  }
  const at = r.pos;
  const v = r.s33();
  if (v < 0) r.fail('invalid heap type', at);
  out.s33(map.type(v));
}

function valType(r: ByteReader, map: IndexMap, out: ByteWriter): void {
  const b = r.u8();
  out.byte(b);
  if (b === 0x63 || b === 0x64) heapType(r, map, out);
  else if (!isValTypeByte(b)) r.fail(`invalid value type 0x${b.toString(16)}`, r.pos - 1);
}

// ValType packing: a reference type with a heap type (0x63/0x64 ht) is kept as
// its raw bytes b0..b(n-1) packed little-endian into a number, plus 256^n as a
// length marker (so heap type 0 stays distinct from the bare byte); at most
// 6 bytes, so the number stays below 2^53. Single-byte types are the byte.

/** Read a value type from r in its packed form. */
export function readValType(r: ByteReader): ValType {
  const at = r.pos;
  const b = r.u8();
  if (b === 0x63 || b === 0x64) {
    const start = r.pos;
    const hb = r.peek();
    if ((hb & 0xc0) === 0x40) {
      if (!isAbstractHeapType(hb)) r.fail(`invalid heap type 0x${hb.toString(16)}`);
      r.pos++;
    } else if (r.s33() < 0) r.fail('invalid heap type', start);
    return packBytes(r.buf, at, r.pos);
  }
  if (!isValTypeByte(b)) r.fail(`invalid value type 0x${b.toString(16)}`, at);
  return b;
}

function packBytes(bytes: Uint8Array, start: number, end: number): number {
  let v = 0;
  let mul = 1;
  for (let p = start; p < end; p++, mul *= 256) v += bytes[p]! * mul;
  return v + mul;
}

/** Bytes in the encoding of a packed value type. */
export function valTypeSize(v: ValType): number {
  if (v < 256) return 1;
  let n = 0;
  while (v > 1) {
    n++;
    v = Math.floor(v / 256);
  }
  return n;
}

export function writeValType(w: ByteWriter, v: ValType): void {
  if (v < 256) {
    w.byte(v);
    return;
  }
  while (v > 1) {
    w.byte(v % 256);
    v = Math.floor(v / 256);
  }
}

/** The reference type (ref null? ht); `heap` is a type index (>= 0) or an
 * abstract heap type as its negative s33 value (-16 = 0x70 func). */
export function refType(nullable: boolean, heap: number): ValType {
  const w = new ByteWriter(8);
  w.byte(nullable ? 0x63 : 0x64);
  w.s33(heap);
  return packBytes(w.buf, 0, w.pos);
}

/** The heap type of a packed (ref null? ht): a type index (>= 0) or a
 * negative abstract heap type; undefined for other value types. */
export function heapTypeOf(v: ValType): number | undefined {
  if (v < 256) return undefined;
  const w = new ByteWriter(8);
  writeValType(w, v);
  return new ByteReader(w.view(), 1).s33();
}

/** Remap the type index inside a reference value type, if any. */
export function mapValType(v: ValType, map: IndexMap): ValType {
  const heap = heapTypeOf(v);
  if (heap === undefined || heap < 0) return v;
  return withHeap(v, map.type(heap));
}

/** The reference type `v` (nullable or not, as it is) with heap type `heap`. */
export function withHeap(v: ValType, heap: number): ValType {
  return refType(v % 256 === 0x63, heap);
}
