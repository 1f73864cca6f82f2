// The in-memory shape of a core WebAssembly module, as the linker sees it.
// Sections the linker does not rewrite are kept as raw bytes; code bodies and
// constant expressions stay encoded and are rewritten in one streaming pass
// (see code.ts) instead of being decoded into a tree.

/** A value type in its binary encoding (0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64,
 * 0x7b v128, 0x70 funcref, 0x6f externref, 0x69 exnref, ...). Reference types
 * with a heap type index are kept as their raw encoding. */
export type ValType = number;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  min: bigint;
  max?: bigint;
  shared?: boolean;
  /** memory64 / table64 */
  is64?: boolean;
  /** custom page sizes proposal; absent means 64 KiB */
  pageSizeLog2?: number;
}

export interface TableType {
  elem: ValType;
  limits: Limits;
}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

export interface TagType {
  /** attribute byte, always 0 (exception) today */
  attribute: number;
  type: number;
}

export type ImportDesc =
  | { kind: 'func'; type: number }
  | { kind: 'table'; table: TableType }
  | { kind: 'memory'; limits: Limits }
  | { kind: 'global'; global: GlobalType }
  | { kind: 'tag'; tag: TagType };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

/** A constant expression, encoded, including its final `end` (0x0b). */
export type ConstExpr = Uint8Array;

export interface Table {
  type: TableType;
  /** table with an initializer expression (0x40 0x00 encoding), else undefined */
  init?: ConstExpr;
}

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export type ElemMode =
  | { kind: 'active'; table: number; offset: ConstExpr }
  | { kind: 'passive' }
  | { kind: 'declarative' };

export interface Element {
  mode: ElemMode;
  /** element reference type (0x70 funcref unless given) */
  type: ValType;
  /** either function indices or constant expressions, never both */
  funcs?: number[];
  exprs?: ConstExpr[];
  /** segment flags (0-7) as read; the writer reuses them when they still fit
   * the mode and contents, so equivalent encodings round-trip exactly */
  flags?: number;
}

export type DataMode = { kind: 'active'; memory: number; offset: ConstExpr } | { kind: 'passive' };

export interface Data {
  mode: DataMode;
  bytes: Uint8Array;
  /** segment flags (0-2) as read; see Element.flags */
  flags?: number;
}

export interface Code {
  /** local declarations as (count, type) runs */
  locals: Array<{ count: number; type: ValType }>;
  /** instruction bytes after the locals, including the final `end` */
  body: Uint8Array;
  /** absolute offset of `body` in the input, for error messages */
  offset?: number;
  /**
   * When set, the writer rewrites `body` through this map as it writes it:
   * the linker's one streaming pass, with no copy of the code in between.
   * The type index in a typed reference local goes through it too.
   */
  map?: IndexMap;
  /**
   * The body comes from a module that passed WebAssembly.validate: the writer
   * may copy it and re-encode only what changes (copy-validated.ts).
   */
  validated?: boolean;
}

/**
 * Entries of a read module's code section kept where they are in its bytes
 * (readModule's `bulk` option): no object per function. A large program has
 * tens of thousands of functions, whose records (a body view, a locals array)
 * cost more to make and to collect than the rest of its link; box-link's
 * writer copies such a run through the scan kernel a megabyte at a time.
 * Entry i (its size LEB, locals and body) is `bytes[at[i]]` to `bytes[at[i + 1]]`,
 * its instructions from `bodies[i]`. `runCode` makes one entry's Code.
 */
export interface CodeRun {
  bytes: Uint8Array;
  /** count + 1 offsets: where each entry starts, then where the last ends */
  at: Uint32Array;
  /** where each entry's instructions start (after its locals) */
  bodies: Uint32Array;
  /** as Code.map, for every entry */
  map?: IndexMap;
  /** as Code.validated, for every entry */
  validated?: boolean;
}

export interface Custom {
  name: string;
  bytes: Uint8Array;
  /** id of the known section this custom section followed in the input (0 = before all) */
  after: number;
}

export interface Module {
  types: FuncType[];
  imports: Import[];
  /** type index of each defined function */
  functions: number[];
  tables: Table[];
  memories: Limits[];
  tags: TagType[];
  globals: Global[];
  exports: Export[];
  start?: number;
  elements: Element[];
  /** present when the input had a datacount section */
  dataCount?: number;
  codes: Code[];
  /**
   * The first entries of the code section, held in bulk (readModule's `bulk`
   * option; the merge hands the program's on): `codes` holds the entries after them.
   */
  codeRun?: CodeRun;
  data: Data[];
  customs: Custom[];
}

export function emptyModule(): Module {
  return {
    types: [], imports: [], functions: [], tables: [], memories: [], tags: [], globals: [],
    exports: [], elements: [], codes: [], data: [], customs: [],
  };
}

/** How indices of one input module map into the merged module. */
export interface IndexMap {
  /** bytes the rewriter inserts at the top of every loop body (box run's interrupt probe) */
  loopProbe?: Uint8Array;
  func(i: number): number;
  table(i: number): number;
  memory(i: number): number;
  global(i: number): number;
  type(i: number): number;
  tag(i: number): number;
  data(i: number): number;
  elem(i: number): number;
  /** the same maps as tables and bases, for the scan kernel (copy-validated.ts); only where they say the same as the functions */
  raw?: RawIndexMap;
}

/**
 * An IndexMap as data: function i becomes funcs[i] (-1: none), type i
 * types[i]; a table, memory, global or data index i below its count becomes
 * its base + i. Anything else is out of range.
 */
export interface RawIndexMap {
  funcs: Int32Array;
  types: readonly number[];
  table: number;
  tables: number;
  memory: number;
  memories: number;
  global: number;
  globals: number;
  data: number;
  datas: number;
}

export const identityMap: IndexMap = {
  func: (i) => i, table: (i) => i, memory: (i) => i, global: (i) => i,
  type: (i) => i, tag: (i) => i, data: (i) => i, elem: (i) => i,
};

/** How many entries a code run holds. */
export function runLength(run: CodeRun): number {
  return run.at.length - 1;
}

/** Entries of the code section: the run's, then `codes`. */
export function codeCount(m: Module): number {
  return (m.codeRun ? runLength(m.codeRun) : 0) + m.codes.length;
}
