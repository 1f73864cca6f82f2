// The fast copy of a validated program's code (src/binary/copy-validated.ts
// drives it). A large program's code is nearly all copied as it is: of its
// immediates only function indices change (the box's imports differ from the
// program's), plus the LEBs a linker padded to five bytes for relocations,
// which the rewriter (rewriteExpr) writes minimally. So a body is copied in
// one block and then only those immediates are re-encoded in place; as every
// rewrite here makes an immediate shorter or keeps its length, the bytes after
// it move left within the output, never past what is still to be read.
//
// Validation is what makes the shortcut sound: the encodings are known to be
// well formed, so the scan skips what rewriteExpr checks byte by byte. Any
// instruction outside the common set (SIMD, atomics, exceptions, tables,
// references, an explicit memory index), an index out of range, and any
// rewrite that would make an immediate longer make scan() answer -1: the
// body goes to rewriteExpr.
//
// It is WebAssembly because a link runs it once per process over tens of
// megabytes of code: as JavaScript it ran in tiers that V8 compiled and threw
// away as the scan met instructions it had not seen yet (300-400 ms of CPU for
// Yosys on a cold start, three times the same code warm). The engine compiles
// this module at once, to code that needs no warming.
//
// The caller puts the body at `src`, the lookup tables where init() and
// setMaps() say, and reads the result at `dst`. The index spaces are the
// merge's: a function's new index from a table (-1: not kept), the others a
// base plus the index.

// Immediate shapes: the values of Imm in src/binary/opcodes.ts (the tables come from there).
const NONE: u8 = 1;
const BLOCK_TYPE: u8 = 2;
const LABEL: u8 = 3;
const BR_TABLE: u8 = 4;
const FUNC: u8 = 5;
const CALL_INDIRECT: u8 = 6;
const LOCAL: u8 = 7;
const GLOBAL: u8 = 8;
const MEM_ARG: u8 = 10;
const MEMORY: u8 = 11;
const I32: u8 = 12;
const I64: u8 = 13;
const F32: u8 = 14;
const F64: u8 = 15;
const MEMORY_INIT: u8 = 21;
const DATA: u8 = 22;
const MEMORY_COPY: u8 = 23;
const PREFIX_FC: u8 = 32;
const END: u8 = 36;

/** OPCODE_IMM (256 bytes) and MISC_IMM (miscCount bytes), copied in by the caller. */
let opcodeImm: usize = 0;
let miscImm: usize = 0;
let miscCount: u32 = 0;

/** The part's maps: function indices (i32 each, -1: none), type indices (i32 each), bases and counts. */
let funcs: usize = 0;
let funcCount: u32 = 0;
let types: usize = 0;
let typeCount: u32 = 0;
let tableBase: u32 = 0;
let tableCount: u32 = 0;
let memoryBase: u32 = 0;
let memoryCount: u32 = 0;
let globalBase: u32 = 0;
let globalCount: u32 = 0;
let dataBase: u32 = 0;
let dataCount: u32 = 0;

export function init(opcodes: usize, misc: usize, count: u32): void {
  opcodeImm = opcodes;
  miscImm = misc;
  miscCount = count;
}

export function setMaps(
  funcsAt: usize, nFuncs: u32, typesAt: usize, nTypes: u32,
  tBase: u32, nTables: u32, mBase: u32, nMemories: u32, gBase: u32, nGlobals: u32, dBase: u32, nData: u32,
): void {
  funcs = funcsAt;
  funcCount = nFuncs;
  types = typesAt;
  typeCount = nTypes;
  tableBase = tBase;
  tableCount = nTables;
  memoryBase = mBase;
  memoryCount = nMemories;
  globalBase = gBase;
  globalCount = nGlobals;
  dataBase = dBase;
  dataCount = nData;
}

// The body being copied: read at src, written at dst.
let src: usize = 0;
let dst: usize = 0;
/** dst is final below w (an offset from dst) */
let w: u32 = 0;
/** body bytes from r0 on still sit where the block copy put them, at dst + r0 */
let r0: u32 = 0;
/** end of the LEB the last uleb() read, and whether it was longer than needed */
let next: u32 = 0;
let padded: bool = false;

@inline function at(p: u32): u32 {
  return <u32>load<u8>(src + p);
}

/** The unsigned LEB (at most 32 bits) at body offset p; sets `next` and `padded`. */
function uleb(p: u32): u32 {
  let b = at(p++);
  if (b < 0x80) {
    next = p;
    padded = false;
    return b;
  }
  let v = b & 0x7f;
  let shift: u32 = 7;
  for (;;) {
    b = at(p++);
    if (shift == 28) {
      v |= (b & 0x0f) << 28;
      break;
    }
    v |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  next = p;
  padded = b == 0;
  return v;
}

/** Moves the copied bytes up to body offset s to their final place. */
function settle(s: u32): void {
  const n = s - r0;
  if (w != r0 && n > 0) {
    // most runs between two rewrites are short: a call to the engine's memmove costs more than the loop
    if (n <= 32) for (let i: u32 = 0; i < n; i++) store<u8>(dst + w + i, load<u8>(dst + r0 + i));
    else memory.copy(dst + w, dst + r0, n);
  }
  w += n;
}

/** Replaces the immediate at [s, e) by the unsigned LEB of v; false if that would be longer. */
function putU(s: u32, e: u32, v: u32): bool {
  let k: u32 = 1;
  for (let x = v; x >= 0x80; x >>= 7) k++;
  if (k > e - s) return false;
  settle(s);
  while (v >= 0x80) {
    store<u8>(dst + w++, (v & 0x7f) | 0x80);
    v >>= 7;
  }
  store<u8>(dst + w++, v);
  r0 = e;
  return true;
}

/** Re-encodes the signed LEB at [s, e) minimally: drops groups that only repeat its sign. */
function trimS(s: u32, e: u32): void {
  let keep = e - s;
  while (keep > 1) {
    const g = at(s + keep - 1) & 0x7f;
    const prev = at(s + keep - 2) & 0x40;
    if ((g == 0 && prev == 0) || (g == 0x7f && prev != 0)) keep--;
    else break;
  }
  if (keep == e - s) return;
  rewriteTrimmed(s, e, keep);
}

/** The same for an unsigned LEB: drops trailing zero groups. */
function trimU(s: u32, e: u32): void {
  let keep = e - s;
  while (keep > 1 && (at(s + keep - 1) & 0x7f) == 0) keep--;
  if (keep == e - s) return;
  rewriteTrimmed(s, e, keep);
}

/** Writes the first `keep` groups of the LEB at [s, e), the last one closing it. */
function rewriteTrimmed(s: u32, e: u32, keep: u32): void {
  settle(s);
  for (let i: u32 = 0; i < keep - 1; i++) store<u8>(dst + w++, at(s + i) | 0x80);
  store<u8>(dst + w++, at(s + keep - 1) & 0x7f);
  r0 = e;
}

/** The index at [s, e), read as v, becomes m: the position after it, or -1 when m is not one or cannot be written in place. */
@inline function remap(s: u32, e: u32, v: u32, m: i64): i32 {
  if (m < 0) return -1;
  if (<u32>m == v && !padded) return <i32>e;
  return putU(s, e, <u32>m) ? <i32>e : -1;
}

/** Whether the signed LEB [p, q) is longer than its value needs. */
function signedPadded(p: u32, q: u32): bool {
  if (q - p < 2) return false;
  const last = at(q - 1);
  const prev = at(q - 2) & 0x40;
  return (last == 0 && prev == 0) || (last == 0x7f && prev != 0);
}

/** The end of the LEB at body offset p. */
@inline function skipLeb(p: u32): u32 {
  while (at(p++) & 0x80);
  return p;
}

function mapFunc(i: u32): i64 {
  return i < funcCount ? <i64>load<i32>(funcs + (<usize>i << 2)) : -1;
}
function mapType(i: u32): i64 {
  return i < typeCount ? <i64>load<i32>(types + (<usize>i << 2)) : -1;
}
@inline function based(base: u32, i: u32, count: u32): i64 {
  return i < count ? <i64>base + i : -1;
}

/**
 * Copies the body of `len` bytes at `from` to `to` with its indices mapped:
 * the length written, or -1 to leave the body to the full rewriter.
 */
export function scan(from: usize, to: usize, len: u32): i32 {
  src = from;
  dst = to;
  w = 0;
  r0 = 0;
  memory.copy(to, from, len);
  let p: u32 = 0;
  while (p < len) {
    const op = at(p++);
    // local.get/set/tee with a one-byte index: a quarter of a typical body
    if (op - 0x20 <= 2 && at(p) < 0x80) {
      p++;
      continue;
    }
    let e: i32;
    switch (load<u8>(opcodeImm + op)) {
      case NONE:
      case END:
        continue;
      case LOCAL:
      case LABEL: {
        const q = skipLeb(p);
        if (q - p > 1 && at(q - 1) == 0) trimU(p, q);
        p = q;
        continue;
      }
      case MEM_ARG: {
        // an explicit memory index, or padded flags: the rewriter writes the compact form
        if (at(p) >= 0x40) return -1;
        if (memoryCount == 0 || memoryBase != 0) return -1;
        const s = p + 1;
        const q = skipLeb(s);
        if (q - s > 1 && at(q - 1) == 0) trimU(s, q);
        p = q;
        continue;
      }
      case I32:
      case I64: {
        const q = skipLeb(p);
        if (signedPadded(p, q)) trimS(p, q);
        p = q;
        continue;
      }
      case FUNC: {
        const v = uleb(p);
        e = remap(p, next, v, mapFunc(v));
        break;
      }
      case GLOBAL: {
        const v = uleb(p);
        e = remap(p, next, v, based(globalBase, v, globalCount));
        break;
      }
      case BLOCK_TYPE: {
        const b = at(p);
        // a value type or none; a type index (multi-value blocks, a signed LEB) is left to the rewriter
        if ((b & 0xc0) != 0x40 || b == 0x63 || b == 0x64) return -1;
        p++;
        continue;
      }
      case F32:
        p += 4;
        continue;
      case F64:
        p += 8;
        continue;
      case MEMORY: {
        const v = uleb(p);
        e = remap(p, next, v, based(memoryBase, v, memoryCount));
        break;
      }
      case CALL_INDIRECT: {
        const type = uleb(p);
        e = remap(p, next, type, mapType(type));
        if (e < 0) return -1;
        const table = uleb(<u32>e);
        e = remap(<u32>e, next, table, based(tableBase, table, tableCount));
        break;
      }
      case BR_TABLE: {
        const n = uleb(p);
        let q = next;
        if (padded) trimU(p, q);
        for (let i: u64 = 0; i <= <u64>n; i++) {
          const s = q;
          q = skipLeb(q);
          if (q - s > 1 && at(q - 1) == 0) trimU(s, q);
        }
        p = q;
        continue;
      }
      case PREFIX_FC:
        e = misc(p);
        break;
      default:
        return -1;
    }
    if (e < 0) return -1;
    p = <u32>e;
  }
  if (p != len) return -1;
  settle(len);
  return <i32>w;
}

/** A 0xFC-prefixed instruction whose sub-opcode is at q: the position after it, or -1. */
function misc(q: u32): i32 {
  const sub = uleb(q);
  const e = next;
  if (padded) trimU(q, e);
  const kind = sub < miscCount ? load<u8>(miscImm + sub) : <u8>0;
  if (kind == NONE) return <i32>e;
  if (kind == MEMORY) {
    const v = uleb(e);
    return remap(e, next, v, based(memoryBase, v, memoryCount));
  }
  if (kind == MEMORY_COPY) {
    const to = uleb(e);
    const p = remap(e, next, to, based(memoryBase, to, memoryCount));
    if (p < 0) return -1;
    const from = uleb(<u32>p);
    return remap(<u32>p, next, from, based(memoryBase, from, memoryCount));
  }
  if (kind == MEMORY_INIT) {
    const data = uleb(e);
    const p = remap(e, next, data, based(dataBase, data, dataCount));
    if (p < 0) return -1;
    const mem = uleb(<u32>p);
    return remap(<u32>p, next, mem, based(memoryBase, mem, memoryCount));
  }
  if (kind == DATA) {
    const v = uleb(e);
    return remap(e, next, v, based(dataBase, v, dataCount));
  }
  return -1;
}

/** Output bytes entries() wrote, up to the entry it stopped at. */
let entriesWritten: u32 = 0;

export function written(): u32 {
  return entriesWritten;
}

/** Bytes in the unsigned LEB of v. */
function lebLength(v: u32): u32 {
  let k: u32 = 1;
  for (; v >= 0x80; v >>= 7) k++;
  return k;
}

/** Writes the unsigned LEB of v at q: the position after it. */
function putLeb(q: usize, v: u32): usize {
  while (v >= 0x80) {
    store<u8>(q++, (v & 0x7f) | 0x80);
    v >>= 7;
  }
  store<u8>(q++, v);
  return q;
}

/**
 * Copies `count` consecutive code entries (each its size, locals and body)
 * from `from` to `to` as the writer writes them: sizes and local counts as
 * minimal LEBs, local types as they are, each body through scan(). Answers how
 * many it copied; written() says how many bytes. It stops at an entry scan()
 * leaves to the rewriter, or whose locals it does not copy (a typed
 * reference): the caller writes that one and goes on after it. Every entry
 * comes out no longer than it went in (scan() and minimal LEBs only shorten):
 * `to` needs room for the input.
 */
export function entries(from: usize, to: usize, count: u32): u32 {
  let r: u32 = 0;
  let o = to;
  entriesWritten = 0;
  for (let i: u32 = 0; i < count; i++) {
    src = from;
    const size = uleb(r);
    const end = next + size;
    const guess = lebLength(size);
    const localsAt = o + guess;
    let q = localsAt;
    const runs = uleb(next);
    let p = next;
    q = putLeb(q, runs);
    for (let j: u32 = 0; j < runs; j++) {
      q = putLeb(q, uleb(p));
      p = next;
      const type = at(p++);
      if (type == 0x63 || type == 0x64) return i;
      store<u8>(q++, type);
    }
    const body = scan(from + p, q, end - p);
    if (body < 0) return i;
    const total = <u32>(q - localsAt) + <u32>body;
    const need = lebLength(total);
    if (need > guess) return i;
    if (need < guess) memory.copy(o + need, localsAt, total);
    o = putLeb(o, total) + total;
    r = end;
    entriesWritten = <u32>(o - to);
  }
  return count;
}
