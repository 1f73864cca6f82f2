// Single-memory boxes (box-link --single-memory, DESIGN.md §2.7): every
// capability's memory laid into memory 0 beside the program's, so the box
// validates and runs on engines without multi-memory (wazero, jco's
// component transpiler, Node 20 without dynamic mode).
//
// Layout of memory 0, fixed at link time:
//
//   [ program: 0 .. L ) [ kernel ) [ vfs ) ... [ trace ) [ scratch )
//
// The program stays at address 0 and memory 0 stays exported as `memory`,
// so a preview1 host finds its pointers and iovecs where the bare program
// put them. L is the program's limit: its declared maximum, else
// DEFAULT_PROGRAM_PAGES, else --program-memory. Each capability region sits
// at a constant base above L and is as large as that capability's
// reservation. The memory's initial size covers every region (Linux backs a
// page only when it is first touched), so nothing ever moves.
//
// Isolation is kept by rewriting code, after merging:
//   - the program's own loads, stores, atomics and SIMD accesses are checked
//     against a global holding its virtual size in bytes: addr + offset +
//     access size > size (in 64-bit arithmetic, so nothing wraps) makes the
//     address 2^32-1, so the access itself traps out of bounds exactly where
//     the bare program's would, with the same message (atomics, which must
//     stay aligned, take an explicit out-of-bounds load instead);
//   - its memory.size/memory.grow see only its own virtual pages (grow
//     answers -1 beyond L, as a full memory does); memory.fill/copy/init go
//     through helpers that check every operand range against the virtual
//     size of the region it names;
//   - a capability's accesses become memory 0 with its base added to the
//     memarg offset (free); its memory.size/grow are virtual page counters
//     checked against its reservation; its bulk operations add the base and
//     check against its virtual size;
//   - box:app glue keeps memory 0 accesses unchecked: the ABI layer has
//     already compared every pointer with size(), which is now the program's
//     virtual size (DESIGN.md §2.4);
//   - host functions that write through pointers the program passes and that
//     no capability serves (args_*, environ_*, clock_*, random_get) are
//     called through wrappers that check those pointers against the
//     program's size first (EFAULT), since the host may write anywhere in
//     the exported memory. Any other such function the program would call
//     on the host directly is refused at link time.

import { ERRNO_FAULT } from '@marcotte/abi';
import { ByteReader, ByteWriter } from './binary/leb.ts';
import type { Code, FuncType, Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { funcTypeKey } from './signature.ts';
import { readNames, writeNames } from './names.ts';
import { Emit, rewriteBody, rewriteConst } from './single-memory-code.ts';

export const PAGE = 65536;
/** The program's limit when it declares no maximum (or one above MAX_DECLARED_PAGES): 1 GiB. */
export const DEFAULT_PROGRAM_PAGES = 16384;
/** A declared maximum up to this (2 GiB) is taken as the program's limit as it is. */
export const MAX_DECLARED_PAGES = 32768;
/** A capability that does not size its region (regionPages): at least 4 MiB, four times what box run --memory gives one in a multi-memory box (memory-budget.ts). */
export const CAPABILITY_PAGES = 64;

const I32 = 0x7f, I64 = 0x7e;

export interface SingleMemoryOptions {
  /** the program's limit in pages (--program-memory); default from its declared maximum */
  programPages?: number;
  /** regions in pages that their capabilities size themselves (the descriptor's regionPages: the vfs's, from --vfs-memory) */
  regionPages?: Record<string, number>;
  /** how many of the box's functions (after the imports) are the program's */
  appFunctions: number;
  /** for each WASI function the program imports, who serves it ("host": passed through) */
  served: Record<string, string>;
  /** bytes of the box:config segments per capability, so a region holds its data */
  configBytes?: Record<string, number>;
}

export interface Region {
  base: number;
  pages: number;
}

export interface SingleMemoryLayout {
  /** the memory-0 layout: "app" is the program's region at 0, then each capability's, "trace", "scratch" */
  regions: Record<string, Region>;
  /** always true: this linker offers no unchecked variant */
  checked: true;
}

/** Host functions with no pointer parameters: safe to call directly. */
const NO_POINTERS = new Set(['proc_exit', 'sched_yield', 'proc_raise']);

/** For each wrapped host function: its pointer arguments as (param, bytes) or a count from a sizes call. */
type Check = { ptr: number; bytes: number } | { ptr: number; len: number };
const HOST_CHECKS: Record<string, Check[]> = {
  args_sizes_get: [{ ptr: 0, bytes: 4 }, { ptr: 1, bytes: 4 }],
  environ_sizes_get: [{ ptr: 0, bytes: 4 }, { ptr: 1, bytes: 4 }],
  clock_res_get: [{ ptr: 1, bytes: 8 }],
  clock_time_get: [{ ptr: 2, bytes: 8 }],
  random_get: [{ ptr: 0, len: 1 }],
};
/** args_get/environ_get: sizes first (into the scratch region), then argv (4 bytes each) and the strings. */
const LIST_GETS: Record<string, string> = { args_get: 'args_sizes_get', environ_get: 'environ_sizes_get' };

/** Reads i32.const N end; anything else is refused (boxes import no globals). */
function constOffset(expr: Uint8Array, who: string): number {
  const r = new ByteReader(expr);
  if (r.u8() !== 0x41) throw new LinkError(`${who}: a data segment offset that is not a constant cannot be placed in a single memory`);
  const v = r.s32() >>> 0;
  if (r.u8() !== 0x0b) throw new LinkError(`${who}: a data segment offset that is not a constant cannot be placed in a single memory`);
  return v;
}

function constExpr(op: number, v: number | bigint): Uint8Array {
  const w = new ByteWriter(16);
  w.byte(op);
  if (op === 0x41) w.s32(Number(v) | 0);
  else w.s64(BigInt(v));
  w.byte(0x0b);
  return w.finish();
}

interface Layout {
  /** merged memory index -> region name */
  names: string[];
  regions: Record<string, Region>;
  /** merged memory index -> base */
  bases: number[];
  /** merged memory index -> reservation in pages */
  limits: number[];
  totalPages: number;
  scratch: number;
}

function layout(module: Module, options: SingleMemoryOptions): Layout {
  if (module.imports.some((i) => i.desc.kind === 'memory')) throw new LinkError('single memory: the box imports a memory');
  if (module.memories.some((m) => m.pageSizeLog2 !== undefined && m.pageSizeLog2 !== 16)) {
    throw new LinkError('single memory: a memory with custom page sizes cannot be laid into 64 KiB pages');
  }
  const names: string[] = module.memories.map(() => '');
  names[0] = 'app';
  for (const e of module.exports) {
    if (e.kind !== 'memory' || e.index === 0) continue;
    const m = /^box\.([^.]+)\.memory$/.exec(e.name);
    if (!m) throw new LinkError(`single memory: memory ${e.index} is exported as ${e.name}, which has no region`);
    names[e.index] = m[1]!;
  }
  const missing = names.indexOf('');
  if (missing >= 0) throw new LinkError(`single memory: memory ${missing} belongs to no part (a capability with two memories?)`);
  const app = module.memories[0]!;
  let programPages = options.programPages;
  if (programPages === undefined) {
    programPages = app.max !== undefined && app.max <= BigInt(MAX_DECLARED_PAGES) ? Number(app.max) : DEFAULT_PROGRAM_PAGES;
  }
  if (programPages < Number(app.min)) {
    throw new LinkError(`single memory: the program needs ${app.min} pages to start, its limit is ${programPages} (--program-memory)`);
  }
  const regions: Record<string, Region> = {};
  const bases: number[] = [];
  const limits: number[] = [];
  let next = 0;
  module.memories.forEach((mem, i) => {
    const name = names[i]!;
    let pages: number;
    if (i === 0) pages = programPages!;
    else if (name === 'trace') pages = Number(mem.min);
    else {
      const data = Math.ceil((options.configBytes?.[name] ?? 0) / PAGE);
      pages = options.regionPages?.[name] ?? Math.max(CAPABILITY_PAGES, 2 * Number(mem.min) + data);
      if (mem.max !== undefined && mem.max < BigInt(pages)) pages = Number(mem.max);
      if (pages < Number(mem.min)) throw new LinkError(`single memory: capability ${name} needs ${mem.min} pages, its region has ${pages}`);
    }
    regions[name] = { base: next * PAGE, pages };
    bases[i] = next * PAGE;
    limits[i] = pages;
    next += pages;
  });
  const scratch = next * PAGE;
  regions.scratch = { base: scratch, pages: 1 };
  next += 1;
  if (next > 65536) {
    throw new LinkError(`single memory: the regions need ${next} pages, more than a 32-bit memory's 65536 (lower --program-memory or --vfs-memory)`);
  }
  return { names, regions, bases, limits, totalPages: next, scratch };
}

/** Builds small functions appended to the box: grow, bulk-memory helpers and host wrappers. */
class Helpers {
  readonly types: FuncType[];
  readonly functions: number[] = [];
  readonly codes: Code[] = [];
  readonly cache = new Map<string, number>();
  readonly firstIndex: number;
  constructor(module: Module, firstIndex: number) {
    this.types = module.types;
    this.firstIndex = firstIndex;
  }

  type(t: FuncType): number {
    const key = funcTypeKey(t);
    const found = this.types.findIndex((x) => funcTypeKey(x) === key);
    if (found >= 0) return found;
    this.types.push(t);
    return this.types.length - 1;
  }

  /** final index -> name, for the name section (a trap's stack names them) */
  readonly names = new Map<number, string>();

  get(key: string, type: FuncType, build: () => Code): number {
    let at = this.cache.get(key);
    if (at === undefined) {
      at = this.firstIndex + this.functions.length;
      this.cache.set(key, at);
      this.names.set(at, `box:single.${key.replace(/ /g, '_')}`);
      this.functions.push(this.type(type));
      this.codes.push(undefined as unknown as Code); // reserved: build may ask for other helpers
      this.codes[at - this.firstIndex] = build();
    }
    return at;
  }
}

export function singleMemory(module: Module, options: SingleMemoryOptions): { module: Module; layout: SingleMemoryLayout } {
  const lay = layout(module, options);
  const importedFuncs = module.imports.filter((i) => i.desc.kind === 'func');
  const nImports = importedFuncs.length;
  const appEnd = nImports + options.appFunctions;
  if (module.imports.some((i) => i.desc.kind === 'global')) throw new LinkError('single memory: the box imports a global');

  // Every host function the program reaches on the host directly must either take no pointers or be wrapped.
  for (const [name, by] of Object.entries(options.served)) {
    if (by !== 'host' || NO_POINTERS.has(name) || HOST_CHECKS[name] || LIST_GETS[name]) continue;
    throw new LinkError(`single memory: the program calls ${name} on the host directly, which could write outside the program's region; link the capability that serves it`);
  }

  // Globals: per region, its virtual pages and its limit in pages (box run --memory lowers a
  // limit below the reservation; never above: the grow helpers also check the reservation);
  // the program's size in bytes, which every checked access reads.
  const pagesGlobal: number[] = [];
  const limitGlobal: number[] = [];
  module.memories.forEach((m, i) => {
    pagesGlobal[i] = module.globals.length;
    module.globals.push({ type: { type: I32, mutable: true }, init: constExpr(0x41, Number(m.min)) });
    limitGlobal[i] = module.globals.length;
    module.globals.push({ type: { type: I32, mutable: true }, init: constExpr(0x41, lay.limits[i]!) });
  });
  const appSize = module.globals.length;
  module.globals.push({ type: { type: I64, mutable: true }, init: constExpr(0x42, module.memories[0]!.min * BigInt(PAGE)) });

  const helpers = new Helpers(module, nImports + module.functions.length);
  const t = (params: number[], results: number[]): FuncType => ({ params, results });

  /** push the region's virtual size in bytes (i64) */
  const sizeOf = (e: Emit, mem: number) => (mem === 0 ? e.size(pagesGlobal[0]!, appSize) : e.size(pagesGlobal[mem]!));
  /** check local `at` + local `len` (both i32) within region `mem` */
  const checkRange = (e: Emit, mem: number, at: number, len: number) => {
    e.local(0x20, at).op(0xad).local(0x20, len).op(0xad).op(0x7c);
    sizeOf(e, mem);
    e.trapIfAbove();
  };
  const toBase = (e: Emit, mem: number, at: number) => {
    e.local(0x20, at);
    if (lay.bases[mem]) e.i32(lay.bases[mem]!).op(0x6a);
  };

  const grow = (mem: number) => helpers.get(`grow ${lay.names[mem]}`, t([I32], [I32]), () => {
    const w = new ByteWriter(64), e = new Emit(w);
    // if (pages + delta > limit or > reservation) return -1, as a full memory answers
    for (const limit of ['global', 'reservation']) {
      e.global(0x23, pagesGlobal[mem]!).op(0xad).local(0x20, 0).op(0xad).op(0x7c);
      if (limit === 'global') e.global(0x23, limitGlobal[mem]!).op(0xad); else e.i64(lay.limits[mem]!);
      e.op(0x56, 0x04, 0x40).i32(-1).op(0x0f, 0x0b);
    }
    e.global(0x23, pagesGlobal[mem]!).local(0x21, 1);
    e.local(0x20, 1).local(0x20, 0).op(0x6a).global(0x24, pagesGlobal[mem]!);
    if (mem === 0) e.global(0x23, pagesGlobal[0]!).op(0xad).i64(16).op(0x86).global(0x24, appSize);
    e.local(0x20, 1).op(0x0b);
    return { locals: [{ count: 1, type: I32 }], body: w.finish() };
  });
  const fill = (mem: number) => helpers.get(`fill ${lay.names[mem]}`, t([I32, I32, I32], []), () => {
    const w = new ByteWriter(64), e = new Emit(w);
    checkRange(e, mem, 0, 2);
    toBase(e, mem, 0);
    e.local(0x20, 1).local(0x20, 2).op(0xfc, 11, 0, 0x0b);
    return { locals: [], body: w.finish() };
  });
  const copy = (dst: number, src: number) => helpers.get(`copy ${lay.names[dst]} ${lay.names[src]}`, t([I32, I32, I32], []), () => {
    const w = new ByteWriter(64), e = new Emit(w);
    checkRange(e, dst, 0, 2);
    checkRange(e, src, 1, 2);
    toBase(e, dst, 0);
    toBase(e, src, 1);
    e.local(0x20, 2).op(0xfc, 10, 0, 0, 0x0b);
    return { locals: [], body: w.finish() };
  });
  const init = (segment: number, mem: number) => helpers.get(`init ${segment} ${lay.names[mem]}`, t([I32, I32, I32], []), () => {
    const w = new ByteWriter(64), e = new Emit(w);
    checkRange(e, mem, 0, 2);
    toBase(e, mem, 0);
    e.local(0x20, 1).local(0x20, 2).op(0xfc, 8);
    w.u32(segment);
    e.op(0, 0x0b);
    return { locals: [], body: w.finish() };
  });

  // Wrappers for the host functions that write through pointers (HOST_CHECKS, LIST_GETS).
  const importIndex = new Map<string, number>();
  importedFuncs.forEach((imp, i) => { if (imp.module === 'wasi_snapshot_preview1') importIndex.set(imp.name, i); });
  const funcTypeOf = (i: number) => module.types[importedFuncs[i]!.desc.kind === 'func' ? (importedFuncs[i]!.desc as { type: number }).type : 0]!;
  const wrapped = new Map<number, number>();
  const efault = (e: Emit) => e.op(0x04, 0x40).i32(ERRNO_FAULT).op(0x0f, 0x0b);
  for (const [name, checks] of Object.entries(HOST_CHECKS)) {
    const at = importIndex.get(name);
    if (at === undefined) continue;
    const type = funcTypeOf(at);
    wrapped.set(at, helpers.get(`host ${name}`, type, () => {
      const w = new ByteWriter(64), e = new Emit(w);
      for (const c of checks) {
        e.local(0x20, c.ptr).op(0xad);
        if ('bytes' in c) e.i64(c.bytes); else e.local(0x20, c.len).op(0xad);
        e.op(0x7c);
        sizeOf(e, 0);
        e.op(0x56);
        efault(e);
      }
      type.params.forEach((_, k) => {
        e.local(0x20, k);
      });
      e.call(at).op(0x0b);
      return { locals: [], body: w.finish() };
    }));
  }
  for (const [name, sizes] of Object.entries(LIST_GETS)) {
    const at = importIndex.get(name);
    if (at === undefined) continue;
    const sizesAt = importIndex.get(sizes);
    const type = funcTypeOf(at);
    wrapped.set(at, helpers.get(`host ${name}`, type, () => {
      const w = new ByteWriter(96), e = new Emit(w);
      if (sizesAt === undefined) {
        // Without the sizes call the lengths cannot be known: refuse rather than let the host write blind.
        e.i32(ERRNO_FAULT).op(0x0b);
        return { locals: [], body: w.finish() };
      }
      // err = sizes(scratch, scratch + 4); if err return err
      e.i32(lay.scratch).i32(lay.scratch + 4).call(sizesAt).local(0x22, 2).op(0x04, 0x40).local(0x20, 2).op(0x0f, 0x0b);
      // argv + 4 * count > size -> EFAULT
      e.local(0x20, 0).op(0xad).i32(lay.scratch).op(0x28, 2, 0).op(0xad).i64(2).op(0x86).op(0x7c);
      sizeOf(e, 0);
      e.op(0x56);
      efault(e);
      // buf + bytes > size -> EFAULT
      e.local(0x20, 1).op(0xad).i32(lay.scratch + 4).op(0x28, 2, 0).op(0xad).op(0x7c);
      sizeOf(e, 0);
      e.op(0x56);
      efault(e);
      e.local(0x20, 0).local(0x20, 1).call(at).op(0x0b);
      return { locals: [{ count: 1, type: I32 }], body: w.finish() };
    }));
  }
  const redirect = (f: number) => wrapped.get(f) ?? f;

  // Code bodies.
  const typeOfDefined = (j: number) => module.types[module.functions[j]!]!;
  const out = new ByteWriter(1 << 16);
  const nCodes = module.codes.length;
  for (let j = 0; j < nCodes; j++) {
    const code = module.codes[j]!;
    const index = nImports + j;
    const program = index < appEnd;
    const type = typeOfDefined(j);
    const firstTemp = type.params.length + code.locals.reduce((n, l) => n + l.count, 0);
    const temps: number[] = [];
    const tempKeys = new Map<string, number>();
    const temp = (ty: number, k: number) => {
      const key = `${ty}:${k}`;
      let at = tempKeys.get(key);
      if (at === undefined) {
        at = firstTemp + temps.length;
        temps.push(ty);
        tempKeys.set(key, at);
      }
      return at;
    };
    out.reset();
    try {
      rewriteBody(code.body, out, {
        program, bases: lay.bases, pagesGlobal, appSize, temp, grow, fill, copy, init, redirect,
      });
    } catch (e) {
      if (e instanceof LinkError) throw new LinkError(`${program ? 'the program' : 'a capability'}: ${e.message}`);
      throw e;
    }
    const locals = [...code.locals];
    for (const ty of temps) {
      const last = locals[locals.length - 1];
      if (last && last.type === ty) locals[locals.length - 1] = { count: last.count + 1, type: ty };
      else locals.push({ count: 1, type: ty });
    }
    module.codes[j] = { locals, body: out.finish() };
  }
  module.functions.push(...helpers.functions);
  module.codes.push(...helpers.codes);
  const nameSection = module.customs.find((c) => c.name === 'name');
  if (nameSection) {
    const names = readNames(nameSection.bytes);
    for (const [at, name] of helpers.names) names.functions.set(at, name);
    nameSection.bytes = writeNames(names);
  }

  // Element segments and global initializers may name wrapped host functions.
  for (const e of module.elements) {
    if (e.funcs) e.funcs = e.funcs.map(redirect);
    if (e.exprs) e.exprs = e.exprs.map((x) => rewriteConst(x, redirect));
  }
  for (const g of module.globals) g.init = rewriteConst(g.init, redirect);

  // Data segments: each active one into its region, checked against the memory it was written for.
  for (const d of module.data) {
    if (d.mode.kind !== 'active') continue;
    const mem = d.mode.memory;
    const who = mem === 0 ? 'the program' : `capability ${lay.names[mem]}`;
    const offset = constOffset(d.mode.offset, who);
    if (offset + d.bytes.length > Number(module.memories[mem]!.min) * PAGE) {
      throw new LinkError(`${who}: a data segment at ${offset} (${d.bytes.length} bytes) lies outside its initial memory`);
    }
    d.mode = { kind: 'active', memory: 0, offset: constExpr(0x41, lay.bases[mem]! + offset) };
    delete d.flags;
  }

  // One memory; every memory export names it, and each region's base is exported beside it.
  // No maximum: nothing in the box grows the real memory (every memory.grow is virtual), but a host
  // may take pages past the last region for itself, as jco's preview1 adapter does for its state.
  module.memories = [{ min: BigInt(lay.totalPages) }];
  const exports: Module['exports'] = [];
  const described = new Set<number>();
  for (const e of module.exports) {
    if (e.kind !== 'memory') { exports.push(e); continue; }
    const name = lay.names[e.index]!;
    exports.push({ ...e, index: 0 });
    if (described.has(e.index)) continue;
    described.add(e.index);
    if (e.index !== 0) {
      const g = module.globals.length;
      module.globals.push({ type: { type: I32, mutable: false }, init: constExpr(0x41, lay.bases[e.index]!) });
      exports.push({ name: `box.${name}.base`, kind: 'global' as const, index: g });
    }
    // What box run --memory reads and lowers (runtime memory-budget.ts).
    exports.push({ name: `box.${name}.pages`, kind: 'global', index: pagesGlobal[e.index]! }, { name: `box.${name}.limit`, kind: 'global', index: limitGlobal[e.index]! });
  }
  module.exports = exports;
  if (module.dataCount !== undefined) module.dataCount = module.data.length;
  return { module, layout: { regions: lay.regions, checked: true } };
}

export { SINGLE_MEMORY_LIMIT_EXPORT, SINGLE_MEMORY_PAGES_EXPORT } from './single-memory-names.ts';
