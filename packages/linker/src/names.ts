// The name section (custom section "name"): read the program's, remap it,
// and add names for capability entry points and glue functions so traps
// print useful stacks ("kernel:fd_write", "box:app.copy_in@proc").

import { ByteReader, ByteWriter } from './binary/leb.ts';
import { WasmFormatError } from './binary/errors.ts';

const MODULE = 0, FUNCTIONS = 1, LOCALS = 2, GLOBALS = 7, DATA = 9;

export interface NameSection {
  module?: string;
  functions: Map<number, string>;
  /** function index -> (local index -> name) */
  locals: Map<number, Map<number, string>>;
  globals: Map<number, string>;
  data: Map<number, string>;
}

export function emptyNames(): NameSection {
  return { functions: new Map(), locals: new Map(), globals: new Map(), data: new Map() };
}

function nameMap(r: ByteReader): Map<number, string> {
  const map = new Map<number, string>();
  for (let n = r.u32(); n > 0; n--) {
    const index = r.u32();
    map.set(index, r.name());
  }
  return map;
}

/**
 * Decodes the subsections the linker keeps (module, functions, locals,
 * globals, data). A malformed name section is dropped, not fatal: names are
 * debugging aids, and engines ignore broken ones too.
 */
export function readNames(bytes: Uint8Array): NameSection {
  const names = emptyNames();
  try {
    const r = new ByteReader(bytes);
    while (r.pos < bytes.length) {
      const id = r.u8();
      const size = r.u32();
      const end = r.pos + size;
      if (end > bytes.length) return emptyNames();
      const sub = new ByteReader(bytes, r.pos, end);
      if (id === MODULE) names.module = sub.name();
      else if (id === FUNCTIONS) names.functions = nameMap(sub);
      else if (id === GLOBALS) names.globals = nameMap(sub);
      else if (id === DATA) names.data = nameMap(sub);
      else if (id === LOCALS) {
        for (let n = sub.u32(); n > 0; n--) {
          const func = sub.u32();
          names.locals.set(func, nameMap(sub));
        }
      }
      r.pos = end;
    }
  } catch (e) {
    if (e instanceof WasmFormatError) return emptyNames();
    throw e;
  }
  return names;
}

function writeMap(w: ByteWriter, map: Map<number, string>): void {
  const entries = [...map].sort((a, b) => a[0] - b[0]);
  w.u32(entries.length);
  for (const [index, name] of entries) {
    w.u32(index);
    w.name(name);
  }
}

function subsection(out: ByteWriter, id: number, body: (w: ByteWriter) => void): void {
  const w = new ByteWriter(1024);
  body(w);
  out.byte(id);
  out.u32(w.length);
  out.bytes(w.view());
}

export function writeNames(names: NameSection): Uint8Array {
  const out = new ByteWriter(1 << 12);
  if (names.module !== undefined) subsection(out, MODULE, (w) => w.name(names.module!));
  if (names.functions.size) subsection(out, FUNCTIONS, (w) => writeMap(w, names.functions));
  if (names.locals.size) {
    subsection(out, LOCALS, (w) => {
      const funcs = [...names.locals].sort((a, b) => a[0] - b[0]);
      w.u32(funcs.length);
      for (const [func, locals] of funcs) {
        w.u32(func);
        writeMap(w, locals);
      }
    });
  }
  if (names.globals.size) subsection(out, GLOBALS, (w) => writeMap(w, names.globals));
  if (names.data.size) subsection(out, DATA, (w) => writeMap(w, names.data));
  return out.finish();
}
