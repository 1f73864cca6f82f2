// Encodes a Module. Code bodies, constant expressions and payloads are written
// as given: the linker has already rewritten them.

import { ByteWriter, sizeU32 } from './leb.ts';
import { mapValType, rewriteExpr, valTypeSize, writeValType } from './code.ts';
import { copyValidated, copyValidatedRun } from './copy-validated.ts';
import { runCode, SECTION_ORDER, SectionId } from './reader.ts';
import {
  codeCount, runLength, type Data, type Element, type ExternKind, type GlobalType, type ImportDesc, type Limits, type Module,
  type TableType, type TagType,
} from './module.ts';

const EXTERN_KIND_CODE: Record<ExternKind, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };

/**
 * Where writeModuleTo puts a module as it is written: `write` gets the next
 * bytes (a view valid only during the call: the buffer is reused), `patch`
 * overwrites bytes already written at an absolute offset (a section size
 * known only once the section is done).
 */
export interface ModuleSink {
  write(chunk: Uint8Array): void;
  patch(offset: number, bytes: Uint8Array): void;
}

/** Bytes the streaming writer gathers before handing them on: the buffer stays small and warm. */
const CHUNK = 1 << 20;

/** The module's bytes, in one array. */
export function writeModule(m: Module): Uint8Array<ArrayBuffer> {
  let estimate = 64;
  for (const c of m.codes) estimate += c.body.length + 8;
  if (m.codeRun) estimate += m.codeRun.at[runLength(m.codeRun)]! - m.codeRun.at[0]!;
  for (const d of m.data) estimate += d.bytes.length + 16;
  for (const c of m.customs) estimate += c.bytes.length + c.name.length + 8;
  const out = new ByteWriter(estimate);
  emit(m, out);
  // A view, not a copy, when the estimate left little slack: the copy would cost as much as the module.
  return out.buf.length - out.pos <= out.pos >> 3 ? out.view() as Uint8Array<ArrayBuffer> : out.finish();
}

/**
 * Writes the module to `sink` in chunks of about a megabyte, so that a large
 * box never sits whole in memory (a file is written as it is made: box-link).
 * Answers the module's size.
 */
export function writeModuleTo(m: Module, sink: ModuleSink): number {
  const out = new ByteWriter(CHUNK + (CHUNK >> 2));
  return emit(m, out, new Flusher(out, sink));
}

/** Hands `out`'s bytes to the sink between entries, once there are enough of them. */
class Flusher {
  /** bytes handed on so far: out.buf[0] is at this offset of the module */
  done = 0;
  readonly out: ByteWriter;
  readonly sink: ModuleSink;
  constructor(out: ByteWriter, sink: ModuleSink) {
    this.out = out;
    this.sink = sink;
  }

  maybe(): void {
    if (this.out.pos >= CHUNK) this.now();
  }

  now(): void {
    if (this.out.pos === 0) return;
    this.sink.write(this.out.view());
    this.done += this.out.pos;
    this.out.reset();
  }

  /** Hands `bytes` on as they are, after what the buffer holds: no copy of a large payload. */
  direct(bytes: Uint8Array): void {
    this.now();
    this.sink.write(bytes);
    this.done += bytes.length;
  }

  /** Writes `bytes` at module offset `at`: in the buffer while it is there, else through the sink. */
  patch(at: number, bytes: Uint8Array): void {
    if (at >= this.done) this.out.buf.set(bytes, at - this.done);
    else this.sink.patch(at, bytes);
  }
}

function emit(m: Module, out: ByteWriter, flusher?: Flusher): number {
  out.bytes(HEADER);
  const body = new ByteWriter(256);

  const customsAfter = (id: number): void => {
    for (const c of m.customs) {
      if (c.after !== id) continue;
      body.reset();
      body.name(c.name);
      body.bytes(c.bytes);
      section(out, SectionId.custom, body);
      flusher?.maybe();
    }
  };

  customsAfter(0);
  for (const id of SECTION_ORDER) {
    if (id === SectionId.code) {
      // The code section dominates large modules: size it first and write it
      // straight into the output instead of through a scratch buffer.
      if (codeCount(m)) writeCodeSection(out, m, flusher);
    } else if (id === SectionId.data && flusher && m.data.length) {
      writeDataSection(out, m, flusher);
    } else {
      body.reset();
      if (writeSection(body, id, m)) section(out, id, body);
    }
    flusher?.maybe();
    customsAfter(id);
  }
  // customs recorded after a section id we do not know go last
  for (const c of m.customs) {
    if (c.after === 0 || SECTION_ORDER.includes(c.after)) continue;
    body.reset();
    body.name(c.name);
    body.bytes(c.bytes);
    section(out, SectionId.custom, body);
  }
  if (!flusher) return out.pos;
  flusher.now();
  return flusher.done;
}

function codeEntrySize(c: Module['codes'][number]): number {
  let size = sizeU32(c.locals.length) + c.body.length;
  for (const l of c.locals) size += sizeU32(l.count) + valTypeSize(l.type);
  return size;
}

function writeCodeSection(out: ByteWriter, m: Module, flusher?: Flusher): void {
  const run = m.codeRun;
  const count = codeCount(m);
  if (!run?.map && !m.codes.some((c) => c.map)) {
    // Nothing rewritten: every entry's size is known up front. A run's entries are made one by one here (a module read
    // in bulk and written as it is: not box-link's path).
    const codes = run ? [...Array.from({ length: runLength(run) }, (_, i) => runCode(run, i)), ...m.codes] : m.codes;
    let total = sizeU32(count);
    for (const c of codes) {
      const size = codeEntrySize(c);
      total += sizeU32(size) + size;
    }
    out.byte(SectionId.code);
    out.u32(total);
    if (!flusher) out.reserve(total);
    out.u32(count);
    for (const c of codes) {
      flusher?.maybe();
      codeEntry(out, c);
    }
    return;
  }
  // Bodies rewritten on the way out have sizes known only once written: the
  // section size goes in a padded five-byte LEB (valid wasm), patched at the end.
  // Streaming, the section is handed on as it is written, and its size patched in at the end.
  out.byte(SectionId.code);
  const sizeAt = out.pos + (flusher?.done ?? 0);
  out.reserve(5);
  out.pos += 5;
  out.u32(count);
  if (run) {
    // The program's run, through the scan kernel a megabyte at a time when it can (straight to the sink when
    // streaming: its output is final); an entry the kernel leaves, and any run it cannot take, one by one.
    const one = (i: number) => {
      flusher?.maybe();
      codeEntryMapped(out, runCode(run, i));
    };
    const emit = flusher ? (bytes: Uint8Array) => flusher.direct(bytes) : (bytes: Uint8Array) => out.bytes(bytes);
    if (!run.map || !run.validated || !copyValidatedRun(run, run.map, emit, one)) {
      for (let i = 0; i < runLength(run); i++) one(i);
    }
  }
  for (const c of m.codes) {
    flusher?.maybe();
    codeEntryMapped(out, c);
  }
  let size = out.pos + (flusher?.done ?? 0) - sizeAt - 5;
  const field = new Uint8Array(5);
  for (let i = 0; i < 5; i++, size >>>= 7) field[i] = (size & 0x7f) | (i < 4 ? 0x80 : 0);
  if (flusher) flusher.patch(sizeAt, field);
  else out.buf.set(field, sizeAt);
}

/** An entry whose body may be rewritten as it is written (Code.map): its size, known only after, patched in. */
function codeEntryMapped(out: ByteWriter, c: Module['codes'][number]): void {
  if (!c.map) {
    codeEntry(out, c);
    return;
  }
  // Written in place after a size field guessed from the input size (the
  // rewrite rarely crosses a LEB length boundary); moved when the guess is off.
  let guess = sizeU32(c.body.length + 8);
  out.reserve(guess);
  out.pos += guess;
  let start = out.pos;
  const map = c.map;
  out.u32(c.locals.length);
  for (const l of c.locals) {
    out.u32(l.count);
    // A typed reference local, (ref null? $t), names a type of the input as the body's immediates do: mapped alike.
    writeValType(out, l.type < 256 ? l.type : mapValType(l.type, map));
  }
  if (!c.validated || !copyValidated(c.body, map, out)) rewriteExpr(c.body, map, out, c.offset ?? 0);
  const n = out.pos - start;
  const need = sizeU32(n);
  if (need !== guess) {
    out.reserve(need - guess);
    out.buf.copyWithin(start + need - guess, start, out.pos);
    out.pos += need - guess;
    start += need - guess;
    guess = need;
  }
  let v = n;
  for (let i = start - guess; i < start; i++, v >>>= 7) out.buf[i] = (v & 0x7f) | (i < start - 1 ? 0x80 : 0);
}

function codeEntry(w: ByteWriter, c: Module['codes'][number]): void {
  w.u32(codeEntrySize(c));
  w.u32(c.locals.length);
  for (const l of c.locals) {
    w.u32(l.count);
    writeValType(w, l.type);
  }
  w.bytes(c.body);
}

const HEADER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function section(out: ByteWriter, id: number, body: ByteWriter): void {
  out.byte(id);
  out.u32(body.length);
  out.bytes(body.view());
}

function vec<T>(w: ByteWriter, items: readonly T[], entry: (item: T) => void): void {
  w.u32(items.length);
  for (const it of items) entry(it);
}

/** Write section `id`'s contents into w; false when the section is omitted. */
function writeSection(w: ByteWriter, id: number, m: Module): boolean {
  switch (id) {
    case SectionId.type:
      if (m.types.length === 0) return false;
      vec(w, m.types, (t) => {
        w.byte(0x60);
        vec(w, t.params, (v) => writeValType(w, v));
        vec(w, t.results, (v) => writeValType(w, v));
      });
      return true;
    case SectionId.import:
      if (m.imports.length === 0) return false;
      vec(w, m.imports, (imp) => {
        w.name(imp.module);
        w.name(imp.name);
        importDesc(w, imp.desc);
      });
      return true;
    case SectionId.function:
      if (m.functions.length === 0) return false;
      vec(w, m.functions, (t) => w.u32(t));
      return true;
    case SectionId.table:
      if (m.tables.length === 0) return false;
      vec(w, m.tables, (t) => {
        if (t.init) {
          w.byte(0x40);
          w.byte(0x00);
          tableType(w, t.type);
          w.bytes(t.init);
        } else {
          tableType(w, t.type);
        }
      });
      return true;
    case SectionId.memory:
      if (m.memories.length === 0) return false;
      vec(w, m.memories, (l) => limits(w, l));
      return true;
    case SectionId.tag:
      if (m.tags.length === 0) return false;
      vec(w, m.tags, (t) => tagType(w, t));
      return true;
    case SectionId.global:
      if (m.globals.length === 0) return false;
      vec(w, m.globals, (g) => {
        globalType(w, g.type);
        w.bytes(g.init);
      });
      return true;
    case SectionId.export:
      if (m.exports.length === 0) return false;
      vec(w, m.exports, (e) => {
        w.name(e.name);
        w.byte(EXTERN_KIND_CODE[e.kind]);
        w.u32(e.index);
      });
      return true;
    case SectionId.start:
      if (m.start === undefined) return false;
      w.u32(m.start);
      return true;
    case SectionId.element:
      if (m.elements.length === 0) return false;
      vec(w, m.elements, (e) => element(w, e));
      return true;
    case SectionId.dataCount:
      if (m.dataCount === undefined) return false;
      w.u32(m.dataCount);
      return true;
    case SectionId.data:
      if (m.data.length === 0) return false;
      vec(w, m.data, (d) => data(w, d));
      return true;
    default:
      return false;
  }
}

function importDesc(w: ByteWriter, d: ImportDesc): void {
  switch (d.kind) {
    case 'func': w.byte(0); w.u32(d.type); break;
    case 'table': w.byte(1); tableType(w, d.table); break;
    case 'memory': w.byte(2); limits(w, d.limits); break;
    case 'global': w.byte(3); globalType(w, d.global); break;
    case 'tag': w.byte(4); tagType(w, d.tag); break;
  }
}

function tableType(w: ByteWriter, t: TableType): void {
  writeValType(w, t.elem);
  limits(w, t.limits);
}

function limits(w: ByteWriter, l: Limits): void {
  const flags = (l.max !== undefined ? 1 : 0) | (l.shared ? 2 : 0) | (l.is64 ? 4 : 0) |
    (l.pageSizeLog2 !== undefined ? 8 : 0);
  w.byte(flags);
  w.u64(l.min);
  if (l.max !== undefined) w.u64(l.max);
  if (l.pageSizeLog2 !== undefined) w.u32(l.pageSizeLog2);
}

function globalType(w: ByteWriter, g: GlobalType): void {
  writeValType(w, g.type);
  w.byte(g.mutable ? 1 : 0);
}

function tagType(w: ByteWriter, t: TagType): void {
  w.byte(t.attribute);
  w.u32(t.type);
}

/** Pick the element segment encoding: the one it was read with when that
 * still describes it, else the most compact one. */
function elementFlags(e: Element): number {
  const exprs = e.exprs !== undefined;
  const mode = e.mode;
  const prev = e.flags;
  if (prev !== undefined && prev >= 0 && prev <= 7 && ((prev & 4) !== 0) === exprs) {
    const fits = mode.kind === 'active'
      ? (prev & 1) === 0 && ((prev & 2) !== 0 || (mode.table === 0 && e.type === 0x70))
      : (prev & 3) === (mode.kind === 'passive' ? 1 : 3);
    // the elemkind forms (1-3) can only say funcref
    if (fits && (exprs || e.type === 0x70)) return prev;
  }
  const base = exprs ? 4 : 0;
  if (mode.kind === 'passive') return base | 1;
  if (mode.kind === 'declarative') return base | 3;
  return mode.table === 0 && e.type === 0x70 ? base : base | 2;
}

function element(w: ByteWriter, e: Element): void {
  const flags = elementFlags(e);
  w.u32(flags);
  if (e.mode.kind === 'active') {
    if (flags & 2) w.u32(e.mode.table);
    w.bytes(e.mode.offset);
  }
  if (flags & 3) {
    if (flags & 4) writeValType(w, e.type);
    else w.byte(0x00);
  }
  if (e.exprs) vec(w, e.exprs, (x) => w.bytes(x));
  else vec(w, e.funcs ?? [], (f) => w.u32(f));
}

function data(w: ByteWriter, d: Data): void {
  dataHeader(w, d);
  w.bytes(d.bytes);
}

/** A data segment up to its bytes: flags, memory, offset, length. */
function dataHeader(w: ByteWriter, d: Data): void {
  if (d.mode.kind === 'passive') w.u32(1);
  else if (d.mode.memory === 0 && d.flags !== 2) {
    w.u32(0);
    w.bytes(d.mode.offset);
  } else {
    w.u32(2);
    w.u32(d.mode.memory);
    w.bytes(d.mode.offset);
  }
  w.u32(d.bytes.length);
}

/**
 * The data section, streaming: sized first (every segment's size is known),
 * then each segment's header through the buffer and its bytes (a vfs image can
 * be hundreds of megabytes) straight to the sink when they are large.
 */
function writeDataSection(out: ByteWriter, m: Module, flusher: Flusher): void {
  const header = new ByteWriter(64);
  let total = sizeU32(m.data.length);
  for (const d of m.data) {
    header.reset();
    dataHeader(header, d);
    total += header.length + d.bytes.length;
  }
  out.byte(SectionId.data);
  out.u32(total);
  out.u32(m.data.length);
  for (const d of m.data) {
    dataHeader(out, d);
    if (d.bytes.length < CHUNK >> 2) out.bytes(d.bytes);
    else flusher.direct(d.bytes);
    flusher.maybe();
  }
}
