// The fast path of the code rewriter, for bodies of a module the engine has
// validated (link() runs WebAssembly.validate on the program first): the
// scan in assembly/scan.ts, compiled to build/scan.wasm, copies each body
// whole and re-encodes in place only the immediates that change, byte for
// byte what rewriteExpr writes (copy-validated.test.ts checks it on every
// function of the test programs and on random bodies). Anything it does not
// handle makes copyValidated answer false, having written nothing: the
// caller then runs rewriteExpr on that body.
//
// The kernel's memory: page 0 is the kernel's own; from BASE on, the opcode
// tables, then the current part's function and type maps, then each body and
// the room to write it. The memory grows when a larger body or map comes.

import { wasm } from '../wasm.ts';
import type { ByteWriter } from './leb.ts';
import type { CodeRun, IndexMap, RawIndexMap } from './module.ts';
import { MISC_IMM, OPCODE_IMM } from './opcodes.ts';

interface Exports {
  memory: WebAssembly.Memory;
  init(opcodes: number, misc: number, count: number): void;
  entries(from: number, to: number, count: number): number;
  written(): number;
  setMaps(funcs: number, nFuncs: number, types: number, nTypes: number, tableBase: number, nTables: number,
    memoryBase: number, nMemories: number, globalBase: number, nGlobals: number, dataBase: number, nData: number): void;
  scan(from: number, to: number, len: number): number;
}

const BASE = 65536;
const PAGE = 65536;

/** compiled on the first body: a process that links nothing never pays for it */
let kernel: Exports | undefined;
let heap = new Uint8Array(0);
/** the maps the kernel holds, and where bodies go after them */
let mapsOf: RawIndexMap | undefined;
let bodyAt = 0;

function load(): Exports {
  const k = new WebAssembly.Instance(new WebAssembly.Module(wasm() as Uint8Array<ArrayBuffer>)).exports as unknown as Exports;
  room(k, BASE + OPCODE_IMM.length + MISC_IMM.length);
  heap.set(OPCODE_IMM, BASE);
  heap.set(MISC_IMM, BASE + OPCODE_IMM.length);
  k.init(BASE, BASE + OPCODE_IMM.length, MISC_IMM.length);
  return k;
}

/** Grows the kernel's memory to at least `bytes` (`heap` is its whole buffer: the memory grows only here). */
function room(k: Exports, bytes: number): void {
  if (bytes <= heap.length) return;
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / PAGE));
  heap = new Uint8Array(k.memory.buffer);
}

function setMaps(k: Exports, raw: RawIndexMap): void {
  const funcsAt = BASE + 512;
  const typesAt = funcsAt + raw.funcs.length * 4;
  bodyAt = typesAt + raw.types.length * 4 + 64;
  room(k, bodyAt);
  new Int32Array(k.memory.buffer, funcsAt, raw.funcs.length).set(raw.funcs);
  new Int32Array(k.memory.buffer, typesAt, raw.types.length).set(raw.types);
  k.setMaps(funcsAt, raw.funcs.length, typesAt, raw.types.length, raw.table, raw.tables,
    raw.memory, raw.memories, raw.global, raw.globals, raw.data, raw.datas);
  mapsOf = raw;
}

/**
 * Writes `body` (instructions after the locals, through the final `end`) to
 * `out` with its indices mapped through `map`, exactly as rewriteExpr would.
 * Only for bodies of a module that passed WebAssembly.validate. Answers false,
 * leaving `out` as it was, when the body needs the full rewriter, and for a
 * map that inserts loop probes or has no raw form (the kernel reads only that).
 */
export function copyValidated(body: Uint8Array, map: IndexMap, out: ByteWriter): boolean {
  const raw = map.raw;
  if (map.loopProbe || !raw) return false;
  const k = (kernel ??= load());
  if (mapsOf !== raw) setMaps(k, raw);
  const len = body.length;
  const to = bodyAt + len + 64;
  // a validated body is read only within its bounds; the slack keeps even a wrong guess inside memory
  room(k, to + len + 64);
  heap.set(body, bodyAt);
  let n: number;
  try {
    n = k.scan(bodyAt, to, len);
  } catch {
    return false; // a trap (it cannot happen on a validated body): the full rewriter decides
  }
  if (n < 0) return false;
  out.reserve(n);
  // the constructor, not subarray(): no species lookup, once per function of the program
  out.buf.set(new Uint8Array(heap.buffer, to, n), out.pos);
  out.pos += n;
  return true;
}

/** Input bytes of a run the kernel takes per call: its memory stays small and warm, and the output goes on as it is made. */
const RUN_CHUNK = 1 << 20;

/**
 * Writes the entries of `run` (all of them validated) with their indices
 * mapped through `map`, each exactly as the writer writes an entry through
 * copyValidated or rewriteExpr: a megabyte of entries per call into the
 * kernel, whose output goes to `emit` (a view valid only during the call).
 * An entry the kernel leaves goes to `one` (the writer's own path), in its
 * place. Answers false, having written nothing, for a map the kernel cannot
 * take (as copyValidated).
 */
export function copyValidatedRun(run: CodeRun, map: IndexMap, emit: (bytes: Uint8Array) => void, one: (i: number) => void): boolean {
  const raw = map.raw;
  if (map.loopProbe || !raw) return false;
  const k = (kernel ??= load());
  if (mapsOf !== raw) setMaps(k, raw);
  const { at, bytes } = run;
  const n = at.length - 1;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && at[j + 1]! - at[i]! <= RUN_CHUNK) j++;
    const len = at[j]! - at[i]!;
    const outAt = bodyAt + len + 64;
    room(k, outAt + len + 64);
    heap.set(new Uint8Array(bytes.buffer, bytes.byteOffset + at[i]!, len), bodyAt);
    let done: number;
    try {
      done = k.entries(bodyAt, outAt, j - i);
    } catch {
      // a trap (it cannot happen on validated code): nothing of this chunk was written, so each entry on its own
      for (; i < j; i++) one(i);
      continue;
    }
    const w = k.written();
    if (w > 0) emit(new Uint8Array(heap.buffer, outAt, w));
    i += done;
    if (i < j) one(i++);
  }
  return true;
}
