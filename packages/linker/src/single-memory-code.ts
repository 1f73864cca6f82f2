// The single-memory pass's instruction walker (single-memory.ts has the
// layout and the module-level rewriting): copies a function body, rewriting
// each memory instruction for one memory. Capability accesses get their
// region's base added to the memarg offset; the program's accesses get a
// bounds check against its virtual size first; memory.size, memory.grow and
// the bulk-memory instructions become calls to the pass's helpers.

import { ByteReader, ByteWriter } from './binary/leb.ts';
import { ATOMIC_IMM, Imm, MISC_IMM, OPCODE_IMM, SIMD_IMM } from './binary/opcodes.ts';
import { LinkError } from './errors.ts';

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;

/** Access size and the types of the operands above the address, per memory instruction. */
interface Access { size: number; above: number[] }

function access(size: number, ...above: number[]): Access {
  return { size, above };
}

const PLAIN: Array<Access | undefined> = [];
[[0x28, 4], [0x29, 8], [0x2a, 4], [0x2b, 8], [0x2c, 1], [0x2d, 1], [0x2e, 2], [0x2f, 2], [0x30, 1], [0x31, 1], [0x32, 2], [0x33, 2], [0x34, 4], [0x35, 4]]
  .forEach(([op, size]) => { PLAIN[op!] = access(size!); });
[[0x36, 4, I32], [0x37, 8, I64], [0x38, 4, F32], [0x39, 8, F64], [0x3a, 1, I32], [0x3b, 2, I32], [0x3c, 1, I64], [0x3d, 2, I64], [0x3e, 4, I64]]
  .forEach(([op, size, t]) => { PLAIN[op!] = access(size!, t!); });

const ATOMIC: Array<Access | undefined> = [];
ATOMIC[0x00] = access(4, I32);
ATOMIC[0x01] = access(4, I32, I64);
ATOMIC[0x02] = access(8, I64, I64);
const VARIANTS: Array<[number, number]> = [[4, I32], [8, I64], [1, I32], [2, I32], [1, I64], [2, I64], [4, I64]];
VARIANTS.forEach(([size, t], i) => {
  ATOMIC[0x10 + i] = access(size); // loads
  ATOMIC[0x17 + i] = access(size, t); // stores
  for (let g = 0; g < 6; g++) ATOMIC[0x1e + 7 * g + i] = access(size, t); // add sub and or xor xchg
  ATOMIC[0x48 + i] = access(size, t, t); // cmpxchg
});

const SIMD: Array<Access | undefined> = [];
SIMD[0x00] = access(16);
for (let i = 0x01; i <= 0x06; i++) SIMD[i] = access(8);
[1, 2, 4, 8].forEach((size, i) => {
  SIMD[0x07 + i] = access(size);
  SIMD[0x54 + i] = access(size, V128);
  SIMD[0x58 + i] = access(size, V128);
});
SIMD[0x0b] = access(16, V128);
SIMD[0x5c] = access(4);
SIMD[0x5d] = access(8);

/** Writes instructions: the checks and helpers of the pass, a few bytes at a time. */
export class Emit {
  readonly w: ByteWriter;
  constructor(w: ByteWriter) {
    this.w = w;
  }
  op(a: number, b?: number, c?: number, d?: number, ...more: number[]): this {
    const w = this.w;
    w.byte(a);
    if (b !== undefined) w.byte(b);
    if (c !== undefined) w.byte(c);
    if (d !== undefined) w.byte(d);
    for (const m of more) w.byte(m);
    return this;
  }
  local(op: number, i: number): this { this.w.byte(op); this.w.u32(i); return this; }
  global(op: number, i: number): this { this.w.byte(op); this.w.u32(i); return this; }
  i32(v: number): this { this.w.byte(0x41); this.w.s32(v | 0); return this; }
  i64(v: number): this { this.w.byte(0x42); this.w.s33(v); return this; }
  call(f: number): this { this.w.byte(0x10); this.w.u32(f); return this; }
  /** pushes the virtual byte size of a region as i64 */
  size(pagesGlobal: number, sizeGlobal?: number): this {
    if (sizeGlobal !== undefined) return this.global(0x23, sizeGlobal);
    return this.global(0x23, pagesGlobal).op(0xad).i64(16).op(0x86);
  }
  /**
   * Stack: end of a range, size (i64). Traps when end > size, with the
   * engine's own out-of-bounds trap: a byte load at 2^32, past any 32-bit
   * memory, so the message is the one the bare program would get.
   */
  trapIfAbove(): this {
    return this.op(0x56, 0x04, 0x40, 0x41, 0x7f, 0x2d, 0x00, 0x01, 0x1a, 0x0b); // i64.gt_u if (i32.load8_u offset=1 (i32.const -1)) drop end
  }
}

export interface Rewrite {
  program: boolean;
  /** each memory's base in the single memory */
  bases: readonly number[];
  pagesGlobal: number[];
  appSize: number;
  temp(type: number, k: number): number;
  grow(mem: number): number;
  fill(mem: number): number;
  copy(dst: number, src: number): number;
  init(segment: number, mem: number): number;
  redirect(f: number): number;
}

export function rewriteConst(expr: Uint8Array, redirect: (f: number) => number): Uint8Array {
  const r = new ByteReader(expr);
  const w = new ByteWriter(expr.length + 8);
  while (r.pos < r.end) {
    const op = r.u8();
    w.byte(op);
    if (op === 0xd2) w.u32(redirect(r.u32()));
    else if (op === 0x0b) continue;
    else {
      // other constant instructions carry no function index: copy the rest as it is
      w.range(r.buf, r.pos, r.end);
      r.pos = r.end;
    }
  }
  return w.finish();
}

/** memarg: flags (bit 6: a memory index follows), then the offset (u32: boxes have 32-bit memories). */
let memAlign = 0, memIndex = 0, memOffset = 0;
function readMemArg(r: ByteReader): void {
  const at = r.pos;
  const flags = r.u32();
  if (flags >= 0x80) r.fail('malformed memop flags', at);
  memAlign = flags & 0x3f;
  memIndex = flags & 0x40 ? r.u32() : 0;
  memOffset = r.u32();
}

/** Copies one function body, rewriting every memory instruction for the single memory. */
export function rewriteBody(body: Uint8Array, w: ByteWriter, x: Rewrite): void {
  const r = new ByteReader(body);
  const e = new Emit(w);
  const addr = x.program ? x.temp(I32, 9) : 0;
  const emitAccess = (prefix: number, sub: number, acc: Access, lane: boolean) => {
    readMemArg(r);
    const align = memAlign, mem = memIndex;
    let offset = memOffset;
    const laneByte = lane ? r.u8() : 0;
    if (mem !== 0) {
      if (x.program) throw new LinkError(`memory ${mem} named by the program`);
      offset += x.bases[mem]!;
      if (offset >= 2 ** 32) throw new LinkError(`a memory offset of ${memOffset} cannot be moved into a single memory`);
    } else if (x.program) {
      // Save the operands above the address, check the address, put them back.
      const saved = acc.above.map((ty, k) => x.temp(ty, k));
      for (let k = saved.length - 1; k >= 0; k--) e.local(0x21, saved[k]!);
      if (prefix === 0xfe) {
        // Atomics: an explicit trap, since the address below must stay aligned.
        e.local(0x22, addr).op(0xad).i64(offset + acc.size).op(0x7c).global(0x23, x.appSize).trapIfAbove();
        e.local(0x20, addr);
      } else {
        // Branchless: addr + offset + size <= size ? addr : 0xffffffff; the access itself then traps
        // out of bounds at 2^32 and beyond, where the bare program's would.
        e.local(0x22, addr).i32(-1).local(0x20, addr).op(0xad).i64(offset + acc.size).op(0x7c)
          .global(0x23, x.appSize).op(0x58, 0x1b); // i64.le_u select
      }
      for (const s of saved) e.local(0x20, s);
    }
    if (prefix !== 0) { w.byte(prefix); w.u32(sub); } else w.byte(sub);
    w.u32(align);
    w.u32(offset);
    if (lane) w.byte(laneByte);
  };
  let depth = 0;
  for (;;) {
    const at = r.pos;
    if (at >= r.end) r.fail('unexpected end of expression (missing end)');
    const op = body[at]!;
    r.pos = at + 1;
    let kind = OPCODE_IMM[op]!;
    if (PLAIN[op]) {
      emitAccess(0, op, PLAIN[op]!, false);
      continue;
    }
    if (op === 0x3f || op === 0x40) {
      const mem = r.u32();
      if (op === 0x3f) e.global(0x23, x.pagesGlobal[mem]!);
      else e.call(x.grow(mem));
      continue;
    }
    if (op === 0x10 || op === 0x12 || op === 0xd2) {
      w.byte(op);
      w.u32(x.redirect(r.u32()));
      continue;
    }
    if (kind >= Imm.PrefixFC && kind <= Imm.PrefixFE) {
      const sub = r.u32();
      if (op === 0xfc && sub === 8) { const seg = r.u32(); e.call(x.init(seg, r.u32())); continue; }
      if (op === 0xfc && sub === 10) { const dst = r.u32(); e.call(x.copy(dst, r.u32())); continue; }
      if (op === 0xfc && sub === 11) { e.call(x.fill(r.u32())); continue; }
      if (op === 0xfe && ATOMIC[sub]) { emitAccess(op, sub, ATOMIC[sub]!, false); continue; }
      if (op === 0xfd && SIMD[sub]) { emitAccess(op, sub, SIMD[sub]!, sub >= 0x54 && sub <= 0x5b); continue; }
      const table = op === 0xfc ? MISC_IMM : op === 0xfd ? SIMD_IMM : ATOMIC_IMM;
      kind = sub < table.length ? table[sub]! : Imm.Invalid;
      if (kind === Imm.Invalid) r.fail(`unknown opcode 0x${op.toString(16)} 0x${sub.toString(16)}`, at);
      w.byte(op);
      w.u32(sub);
    } else {
      if (kind === Imm.Invalid) r.fail(`unknown opcode 0x${op.toString(16)}`, at);
      w.byte(op);
    }
    const from = r.pos;
    if (kind === Imm.End) {
      if (depth === 0) return;
      depth--;
      continue;
    }
    if (kind === Imm.BlockType || kind === Imm.TryTable) depth++;
    if (kind === Imm.Delegate) depth--;
    skipImmediates(r, kind);
    w.range(body, from, r.pos);
  }
}

/** Advances past an instruction's immediates (none of which this pass changes). */
function skipImmediates(r: ByteReader, kind: number): void {
  switch (kind) {
    case Imm.None: case Imm.End: return;
    case Imm.Local: case Imm.Label: case Imm.Global: case Imm.Func: case Imm.Memory: case Imm.Table:
    case Imm.Type: case Imm.Tag: case Imm.Data: case Imm.Elem: case Imm.Delegate:
      r.u32(); return;
    case Imm.I32: r.s32(); return;
    case Imm.I64: r.s64(); return;
    case Imm.F32: r.pos += 4; return;
    case Imm.F64: r.pos += 8; return;
    case Imm.V128: case Imm.Shuffle: r.pos += 16; return;
    case Imm.Lane: case Imm.Fence: r.pos += 1; return;
    case Imm.CallIndirect: case Imm.MemoryInit: case Imm.MemoryCopy: case Imm.TableInit: case Imm.TableCopy:
      r.u32(); r.u32(); return;
    case Imm.BrTable: { const n = r.u32(); for (let i = 0; i <= n; i++) r.u32(); return; }
    case Imm.MemArg: readMemArg(r); return;
    case Imm.MemArgLane: readMemArg(r); r.pos += 1; return;
    case Imm.BlockType: blockType(r); return;
    case Imm.HeapType: heapType(r); return;
    case Imm.SelectT: { const n = r.u32(); for (let i = 0; i < n; i++) valType(r); return; }
    case Imm.TryTable: {
      blockType(r);
      const n = r.u32();
      for (let i = 0; i < n; i++) { const k = r.u8(); if (k < 2) r.u32(); r.u32(); }
      return;
    }
    default: r.fail(`unknown immediate kind ${kind}`);
  }
}

function blockType(r: ByteReader): void {
  const b = r.peek();
  if ((b & 0xc0) === 0x40) {
    r.pos++;
    if (b === 0x63 || b === 0x64) heapType(r);
    return;
  }
  r.s33();
}

function heapType(r: ByteReader): void {
  const b = r.peek();
  if ((b & 0xc0) === 0x40) { r.pos++; return; }
  r.s33();
}

function valType(r: ByteReader): void {
  const b = r.u8();
  if (b === 0x63 || b === 0x64) heapType(r);
}
