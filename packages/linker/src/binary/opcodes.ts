// Opcodes and the shape of their immediates, as data. The rewriter dispatches
// on `Imm` through dense lookup tables, so decoding an instruction is one array
// load plus a switch.

/** Immediate shapes. */
export const Imm = {
  /** not an instruction */
  Invalid: 0,
  None: 1,
  BlockType: 2,
  Label: 3,
  BrTable: 4,
  Func: 5,
  /** typeidx tableidx */
  CallIndirect: 6,
  Local: 7,
  Global: 8,
  Table: 9,
  MemArg: 10,
  Memory: 11,
  I32: 12,
  I64: 13,
  F32: 14,
  F64: 15,
  /** vec(valtype) */
  SelectT: 16,
  HeapType: 17,
  Tag: 18,
  Type: 19,
  TryTable: 20,
  /** dataidx memidx */
  MemoryInit: 21,
  Data: 22,
  /** memidx memidx */
  MemoryCopy: 23,
  /** elemidx tableidx */
  TableInit: 24,
  Elem: 25,
  /** tableidx tableidx */
  TableCopy: 26,
  MemArgLane: 27,
  V128: 28,
  Shuffle: 29,
  Lane: 30,
  /** atomic.fence: one reserved 0x00 byte */
  Fence: 31,
  PrefixFC: 32,
  PrefixFD: 33,
  PrefixFE: 34,
  /** legacy `delegate`: a label, and it closes the `try` */
  Delegate: 35,
  End: 36,
} as const;
export type Imm = (typeof Imm)[keyof typeof Imm];

/** Single-byte opcodes the linker refers to by name. */
export const Op = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05,
  try: 0x06, catch: 0x07, throw: 0x08, rethrow: 0x09, throw_ref: 0x0a, end: 0x0b,
  br: 0x0c, br_if: 0x0d, br_table: 0x0e, return: 0x0f,
  call: 0x10, call_indirect: 0x11, return_call: 0x12, return_call_indirect: 0x13,
  call_ref: 0x14, return_call_ref: 0x15, delegate: 0x18, catch_all: 0x19,
  drop: 0x1a, select: 0x1b, select_t: 0x1c, try_table: 0x1f,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
  table_get: 0x25, table_set: 0x26,
  i32_load: 0x28, i64_load: 0x29, f32_load: 0x2a, f64_load: 0x2b, i32_store: 0x36,
  i64_store: 0x37, memory_size: 0x3f, memory_grow: 0x40,
  i32_const: 0x41, i64_const: 0x42, f32_const: 0x43, f64_const: 0x44,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e,
  ref_null: 0xd0, ref_is_null: 0xd1, ref_func: 0xd2, ref_eq: 0xd3, ref_as_non_null: 0xd4,
  br_on_null: 0xd5, br_on_non_null: 0xd6,
  prefix_gc: 0xfb, prefix_misc: 0xfc, prefix_simd: 0xfd, prefix_atomic: 0xfe,
} as const;

/** 0xFC-prefixed sub-opcodes. */
export const MiscOp = {
  memory_init: 8, data_drop: 9, memory_copy: 10, memory_fill: 11,
  table_init: 12, elem_drop: 13, table_copy: 14, table_grow: 15, table_size: 16, table_fill: 17,
} as const;

/** Catch clause kinds of try_table. */
export const CatchKind = { catch: 0, catch_ref: 1, catch_all: 2, catch_all_ref: 3 } as const;

function table(size: number, ...runs: Array<[number, number, Imm]>): Uint8Array {
  const t = new Uint8Array(size);
  for (const [from, to, imm] of runs) t.fill(imm, from, to + 1);
  return t;
}

/** Immediates of single-byte opcodes. */
export const OPCODE_IMM: Uint8Array = table(256,
  [0x00, 0x01, Imm.None],
  [0x02, 0x04, Imm.BlockType],
  [0x05, 0x05, Imm.None],
  [0x06, 0x06, Imm.BlockType],
  [0x07, 0x08, Imm.Tag],
  [0x09, 0x09, Imm.Label],
  [0x0a, 0x0a, Imm.None],
  [0x0b, 0x0b, Imm.End],
  [0x0c, 0x0d, Imm.Label],
  [0x0e, 0x0e, Imm.BrTable],
  [0x0f, 0x0f, Imm.None],
  [0x10, 0x10, Imm.Func],
  [0x11, 0x11, Imm.CallIndirect],
  [0x12, 0x12, Imm.Func],
  [0x13, 0x13, Imm.CallIndirect],
  [0x14, 0x15, Imm.Type],
  [0x18, 0x18, Imm.Delegate],
  [0x19, 0x1b, Imm.None],
  [0x1c, 0x1c, Imm.SelectT],
  [0x1f, 0x1f, Imm.TryTable],
  [0x20, 0x22, Imm.Local],
  [0x23, 0x24, Imm.Global],
  [0x25, 0x26, Imm.Table],
  [0x28, 0x3e, Imm.MemArg],
  [0x3f, 0x40, Imm.Memory],
  [0x41, 0x41, Imm.I32],
  [0x42, 0x42, Imm.I64],
  [0x43, 0x43, Imm.F32],
  [0x44, 0x44, Imm.F64],
  // numeric MVP ops and sign-extension (0xc0-0xc4)
  [0x45, 0xc4, Imm.None],
  [0xd0, 0xd0, Imm.HeapType],
  [0xd1, 0xd1, Imm.None],
  [0xd2, 0xd2, Imm.Func],
  [0xd3, 0xd4, Imm.None],
  [0xd5, 0xd6, Imm.Label],
  [0xfc, 0xfc, Imm.PrefixFC],
  [0xfd, 0xfd, Imm.PrefixFD],
  [0xfe, 0xfe, Imm.PrefixFE],
);

/** Immediates of 0xFC sub-opcodes. */
export const MISC_IMM: Uint8Array = table(18,
  [0, 7, Imm.None],
  [8, 8, Imm.MemoryInit],
  [9, 9, Imm.Data],
  [10, 10, Imm.MemoryCopy],
  [11, 11, Imm.Memory],
  [12, 12, Imm.TableInit],
  [13, 13, Imm.Elem],
  [14, 14, Imm.TableCopy],
  [15, 17, Imm.Table],
);

/** Immediates of 0xFD sub-opcodes (SIMD and relaxed SIMD). */
export const SIMD_IMM: Uint8Array = (() => {
  const t = table(0x114,
    [0x00, 0x0b, Imm.MemArg],
    [0x0c, 0x0c, Imm.V128],
    [0x0d, 0x0d, Imm.Shuffle],
    [0x0e, 0x14, Imm.None],
    [0x15, 0x22, Imm.Lane],
    [0x23, 0x53, Imm.None],
    [0x54, 0x5b, Imm.MemArgLane],
    [0x5c, 0x5d, Imm.MemArg],
    [0x5e, 0x113, Imm.None],
  );
  // holes left by opcodes removed during standardisation
  for (const op of [0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb,
    0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee]) t[op] = Imm.Invalid;
  return t;
})();

/** Immediates of 0xFE sub-opcodes (threads). */
export const ATOMIC_IMM: Uint8Array = table(0x4f,
  [0x00, 0x02, Imm.MemArg],
  [0x03, 0x03, Imm.Fence],
  [0x10, 0x4e, Imm.MemArg],
);

/** Single-byte value types; 0x63/0x64 (ref null ht / ref ht) take a heap type. */
export const ValTypeCode = {
  i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b,
  funcref: 0x70, externref: 0x6f, exnref: 0x69, refNull: 0x63, ref: 0x64,
} as const;

/** Abstract heap types (and their shorthand reference types), one byte each. */
export function isAbstractHeapType(b: number): boolean {
  return b >= 0x69 && b <= 0x74;
}

export function isValTypeByte(b: number): boolean {
  return (b >= 0x7b && b <= 0x7f) || isAbstractHeapType(b);
}
