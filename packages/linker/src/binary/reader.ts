// Decodes a core module's sections into a Module. Code bodies, constant
// expressions, data and custom payloads stay as views into the input bytes:
// the linker rewrites or copies them later, and copying megabytes here would
// be wasted work. Anything malformed raises WasmFormatError, never another
// exception type.

import { ByteReader } from './leb.ts';
import { WasmFormatError } from './errors.ts';
import { readValType, skipExpr } from './code.ts';
import { isAbstractHeapType } from './opcodes.ts';
import {
  codeCount, emptyModule, runLength, type Code, type CodeRun, type ConstExpr, type Element, type ExternKind, type FuncType, type GlobalType,
  type ImportDesc, type Limits, type Module, type TableType, type TagType, type ValType,
} from './module.ts';

export const SectionId = {
  custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7,
  start: 8, element: 9, code: 10, data: 11, dataCount: 12, tag: 13,
} as const;

const SECTION_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SectionId).map(([k, v]) => [v, k]));

/** Known section ids in the order the binary format requires. */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
const IMPORT_RANK = SECTION_ORDER.indexOf(2);

const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

/**
 * `importsOnly`: the type and import sections alone, for a host that checks
 * what a module imports before compiling it; reading stops at the first
 * section after them and skips the checks that need the whole module.
 * `bulk`: the code section as one CodeRun (Module.codeRun; `codes` stays
 * empty), each entry checked as it would be read into `codes`.
 */
export function readModule(bytes: Uint8Array, { importsOnly = false, bulk = false } = {}): Module {
  // A Node Buffer's subarray() makes Buffers through its species constructor:
  // views of a plain Uint8Array cost a third of that, and a program has one per function.
  if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const r = new ByteReader(bytes);
  if (bytes.length < 8) r.fail('unexpected end of header', bytes.length);
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) r.fail('magic header not detected', 0);
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) r.fail('unknown binary version', 4);
  r.pos = 8;

  const m = emptyModule();
  let lastRank = -1;
  let lastKnown = 0;
  let sawCode = false;
  while (r.pos < bytes.length) {
    const idAt = r.pos;
    r.eofMessage = 'unexpected end';
    const id = r.u8();
    const size = r.u32();
    if (size > bytes.length - r.pos) throw new WasmFormatError('section size out of bounds', idAt, SECTION_NAMES[id] ?? `unknown (id ${id})`);
    const end = r.pos + size;
    r.end = end;
    r.eofMessage = 'unexpected end of section';
    if (id === SectionId.custom) {
      const name = r.name();
      m.customs.push({ name, bytes: r.take(end - r.pos), after: lastKnown });
    } else {
      const rank = SECTION_ORDER.indexOf(id);
      if (rank < 0) r.fail(`unknown section id ${id}`, idAt);
      if (importsOnly && rank > IMPORT_RANK) return m;
      if (rank <= lastRank) r.fail(rank === lastRank ? `duplicate section id ${id}` : `section id ${id} out of order`, idAt);
      lastRank = rank;
      lastKnown = id;
      try {
        readSection(r, id, m, bulk);
      } catch (e) {
        throw e instanceof WasmFormatError ? e.inSection(SECTION_NAMES[id]!) : e;
      }
      if (id === SectionId.code) sawCode = true;
    }
    if (r.pos !== end) r.fail('section size mismatch', r.pos);
    r.end = bytes.length;
  }

  if (importsOnly) return m;
  const codes = codeCount(m);
  if (m.functions.length !== codes) {
    r.fail(sawCode || m.functions.length > 0
      ? `function and code section have inconsistent lengths (${m.functions.length} vs ${codes})`
      : 'code section without function section', bytes.length);
  }
  if (m.dataCount !== undefined && m.dataCount !== m.data.length) {
    r.fail(`data count (${m.dataCount}) and data section (${m.data.length}) disagree`, bytes.length);
  }
  return m;
}

function readSection(r: ByteReader, id: number, m: Module, bulk: boolean): void {
  switch (id) {
    case SectionId.type:
      vec(r, () => m.types.push(funcType(r)));
      break;
    case SectionId.import:
      vec(r, () => {
        const module = r.name();
        const name = r.name();
        m.imports.push({ module, name, desc: importDesc(r) });
      });
      break;
    case SectionId.function:
      vec(r, () => m.functions.push(r.u32()));
      break;
    case SectionId.table:
      vec(r, () => {
        if (r.peek() === 0x40) {
          r.pos++;
          if (r.u8() !== 0) r.fail('malformed table: expected 0x00 after 0x40', r.pos - 1);
          const type = tableType(r);
          m.tables.push({ type, init: constExpr(r) });
        } else {
          m.tables.push({ type: tableType(r) });
        }
      });
      break;
    case SectionId.memory:
      vec(r, () => m.memories.push(limits(r, false)));
      break;
    case SectionId.tag:
      vec(r, () => m.tags.push(tagType(r)));
      break;
    case SectionId.global:
      vec(r, () => {
        const type = globalType(r);
        m.globals.push({ type, init: constExpr(r) });
      });
      break;
    case SectionId.export:
      vec(r, () => {
        const name = r.name();
        const at = r.pos;
        const kind = EXTERN_KINDS[r.u8()];
        if (kind === undefined) r.fail('invalid export kind', at);
        m.exports.push({ name, kind, index: r.u32() });
      });
      break;
    case SectionId.start:
      m.start = r.u32();
      break;
    case SectionId.element:
      vec(r, () => m.elements.push(element(r)));
      break;
    case SectionId.dataCount:
      m.dataCount = r.u32();
      break;
    case SectionId.code:
      if (bulk) codeRun(r, m);
      else vec(r, () => m.codes.push(code(r)));
      break;
    case SectionId.data:
      vec(r, () => {
        const at = r.pos;
        const flags = r.u32();
        if (flags === 0) {
          const offset = constExpr(r);
          m.data.push({ mode: { kind: 'active', memory: 0, offset }, bytes: r.take(r.u32()), flags });
        } else if (flags === 1) {
          m.data.push({ mode: { kind: 'passive' }, bytes: r.take(r.u32()), flags });
        } else if (flags === 2) {
          const memory = r.u32();
          const offset = constExpr(r);
          m.data.push({ mode: { kind: 'active', memory, offset }, bytes: r.take(r.u32()), flags });
        } else {
          r.fail(`invalid data segment flags ${flags}`, at);
        }
      });
      break;
  }
}

/** Read a vector; every entry takes at least one byte, so a count larger than
 * the bytes left is malformed (and would otherwise make us loop for ages). */
function vec(r: ByteReader, entry: () => void): void {
  const at = r.pos;
  const n = r.u32();
  if (n > r.end - r.pos) r.fail(`vector length ${n} exceeds the section`, at);
  for (let i = 0; i < n; i++) entry();
}

function valTypes(r: ByteReader): ValType[] {
  const out: ValType[] = [];
  vec(r, () => out.push(readValType(r)));
  return out;
}

function funcType(r: ByteReader): FuncType {
  const at = r.pos;
  const form = r.u8();
  if (form === 0x60) {
    const params = valTypes(r);
    return { params, results: valTypes(r) };
  }
  if (form === 0x4e || form === 0x50 || form === 0x4f || form === 0x5f || form === 0x5e) {
    r.fail(`GC type definitions (rec/sub/struct/array, form 0x${form.toString(16)}) are not supported`, at);
  }
  return r.fail(`invalid type form 0x${form.toString(16)}`, at);
}

function importDesc(r: ByteReader): ImportDesc {
  const at = r.pos;
  const kind = r.u8();
  switch (kind) {
    case 0: return { kind: 'func', type: r.u32() };
    case 1: return { kind: 'table', table: tableType(r) };
    case 2: return { kind: 'memory', limits: limits(r, false) };
    case 3: return { kind: 'global', global: globalType(r) };
    case 4: return { kind: 'tag', tag: tagType(r) };
    default: return r.fail(`invalid import kind ${kind}`, at);
  }
}

function refType(r: ByteReader): ValType {
  const at = r.pos;
  const t = readValType(r);
  if (t < 256 && !isAbstractHeapType(t)) r.fail('expected a reference type', at);
  return t;
}

function tableType(r: ByteReader): TableType {
  const elem = refType(r);
  return { elem, limits: limits(r, true) };
}

function limits(r: ByteReader, table: boolean): Limits {
  const at = r.pos;
  const flags = r.u8();
  // tables: max, table64; memories also: shared, memory64, custom page size
  if (flags & (table ? ~0x05 : ~0x0f)) r.fail(`invalid limits flags 0x${flags.toString(16)}`, at);
  const is64 = (flags & 4) !== 0;
  const l: Limits = { min: is64 ? r.u64() : BigInt(r.u32()) };
  if (flags & 1) l.max = is64 ? r.u64() : BigInt(r.u32());
  if (flags & 2) l.shared = true;
  if (is64) l.is64 = true;
  if (flags & 8) {
    const p = r.pos;
    const log2 = r.u32();
    if (log2 > 64) r.fail('invalid custom page size', p);
    l.pageSizeLog2 = log2;
  }
  return l;
}

function globalType(r: ByteReader): GlobalType {
  const type = readValType(r);
  const at = r.pos;
  const mut = r.u8();
  if (mut > 1) r.fail('malformed mutability', at);
  return { type, mutable: mut === 1 };
}

function tagType(r: ByteReader): TagType {
  const at = r.pos;
  const attribute = r.u8();
  if (attribute !== 0) r.fail('invalid tag attribute', at);
  return { attribute, type: r.u32() };
}

function constExpr(r: ByteReader): ConstExpr {
  const start = r.pos;
  skipExpr(r);
  return r.buf.subarray(start, r.pos);
}

function element(r: ByteReader): Element {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 7) r.fail(`invalid element segment flags ${flags}`, at);
  let e: Element;
  if ((flags & 1) === 0) {
    const table = flags & 2 ? r.u32() : 0;
    e = { mode: { kind: 'active', table, offset: constExpr(r) }, type: 0x70, flags };
  } else {
    e = { mode: { kind: flags & 2 ? 'declarative' : 'passive' }, type: 0x70, flags };
  }
  const exprs = (flags & 4) !== 0;
  if (flags & 3) {
    if (exprs) e.type = refType(r);
    else {
      const k = r.pos;
      if (r.u8() !== 0) r.fail('invalid element kind', k);
    }
  }
  if (exprs) {
    const list: ConstExpr[] = [];
    vec(r, () => list.push(constExpr(r)));
    e.exprs = list;
  } else {
    const list: number[] = [];
    vec(r, () => list.push(r.u32()));
    e.funcs = list;
  }
  return e;
}

function code(r: ByteReader): Module['codes'][number] {
  const locals: Array<{ count: number; type: ValType }> = [];
  const sectionEnd = r.end;
  const end = entryHead(r, locals);
  const bodyAt = r.pos;
  const body = r.take(end - r.pos);
  r.end = sectionEnd;
  return { locals, body, offset: r.base + bodyAt };
}

/**
 * One code entry up to its instructions: its size and locals read and
 * checked, `r` left at the instructions with `r.end` at the entry's end (the
 * caller puts the section's back), the body's final `end` checked. Answers
 * where the entry ends; `locals` (when given) gets the declarations.
 */
function entryHead(r: ByteReader, locals?: Array<{ count: number; type: ValType }>): number {
  const at = r.pos;
  const size = r.u32();
  if (size > r.end - r.pos) r.fail('function body size out of bounds', at);
  const end = r.pos + size;
  r.end = end;
  let total = 0;
  // a loop rather than vec(): this runs once per function of large programs
  const lengthAt = r.pos;
  let n = r.u32();
  if (n > r.end - r.pos) r.fail(`vector length ${n} exceeds the section`, lengthAt);
  for (; n > 0; n--) {
    const count = r.u32();
    total += count;
    if (total > 0xffffffff) r.fail('too many locals');
    const type = readValType(r);
    locals?.push({ count, type });
  }
  if (r.pos === end || r.buf[end - 1] !== 0x0b) r.fail('function body must end with end', r.pos);
  return end;
}

/**
 * The code section's entries as a CodeRun (readModule's `bulk` option), each
 * checked as code() checks it: the same errors, and no object per function.
 */
function codeRun(r: ByteReader, m: Module): void {
  const lengthAt = r.pos;
  const n = r.u32();
  if (n > r.end - r.pos) r.fail(`vector length ${n} exceeds the section`, lengthAt);
  const at = new Uint32Array(n + 1);
  const bodies = new Uint32Array(n);
  const sectionEnd = r.end;
  for (let i = 0; i < n; i++) {
    at[i] = r.pos;
    const end = entryHead(r);
    bodies[i] = r.pos;
    r.pos = end;
    r.end = sectionEnd;
  }
  at[n] = r.pos;
  m.codeRun = { bytes: r.buf, at, bodies };
}

/** Entry `i` of the module's code section, wherever it is held (codeRun, codes). */
export function codeAt(m: Module, i: number): Code {
  const n = m.codeRun ? runLength(m.codeRun) : 0;
  return i < n ? runCode(m.codeRun!, i) : m.codes[i - n]!;
}

/** Entry `i` of a code run, as the reader makes a Code (its body a view of the run's bytes). */
export function runCode(run: CodeRun, i: number): Code {
  const r = new ByteReader(run.bytes, run.at[i]!, run.at[i + 1]!);
  const c = code(r);
  if (run.map) c.map = run.map;
  if (run.validated) c.validated = true;
  return c;
}
