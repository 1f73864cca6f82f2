// Functions the linker synthesizes: the box:app interface over two memories,
// box:config over passive data segments, stubs for capabilities that are not
// linked, the chained start function and the _start wrapper. Each is a few
// instructions; V8 inlines them at call sites.

import { ByteWriter } from './binary/leb.ts';
import type { Code, FuncType, ValType } from './binary/module.ts';
import { ERRNO_NOSYS } from '@marcotte/abi';
import { funcType } from './signature.ts';

const OP = {
  block: 0x02, if: 0x04, end: 0x0b, brIf: 0x0d, return: 0x0f, call: 0x10, drop: 0x1a, localGet: 0x20,
  i32Load: 0x28, i64Load: 0x29, i32Load8U: 0x2d, i32Store: 0x36, i64Store: 0x37, i32Store8: 0x3a,
  memorySize: 0x3f, i32Const: 0x41, i64Const: 0x42, f32Const: 0x43, f64Const: 0x44, i32Eq: 0x46,
  i64Shl: 0x86, i64ExtendI32U: 0xad, prefixFC: 0xfc, memoryInit: 8, memoryCopy: 10,
} as const;
const EMPTY_BLOCK = 0x40;
const I32 = 0x7f;

/** A function the linker writes; `calls` are the nodes it calls, resolved to final indices by `build`. */
export interface Synth {
  /** for the name section and error messages only: code never reads it */
  name: string;
  type: FuncType;
  calls?: number[];
  build(calls: readonly number[]): Code;
  /** whose host calls its callees count as (hostImportsBy): a trace wrapper stands for the program's own import; default the box's glue */
  owner?: 'app' | 'box';
  /** the capability whose box:config segment sizes it answers: where `box run --commit` finds that capability's config */
  configSizeOf?: string;
}

function fixed(name: string, type: FuncType, emit: (w: ByteWriter) => void): Synth {
  const w = new ByteWriter(32);
  emit(w);
  w.byte(OP.end);
  const code = { locals: [], body: w.finish() };
  return { name, type, build: () => code };
}

/** memarg for memory `mem`, alignment hint 0 (pointers from the program may be unaligned). */
function memarg(w: ByteWriter, mem: number): void {
  if (mem === 0) {
    w.u32(0);
  } else {
    w.u32(0x40);
    w.u32(mem);
  }
  w.u32(0); // offset
}

function locals(w: ByteWriter, n: number): void {
  for (let i = 0; i < n; i++) {
    w.byte(OP.localGet);
    w.u32(i);
  }
}

/**
 * The box:app function `name` for capability `cap` whose memory is `local`
 * (the app's memory is always 0). Undefined for names box:app does not have.
 */
export function boxApp(name: string, cap: string, local: number): Synth | undefined {
  const label = `box:app.${name}@${cap}`;
  const load = (op: number, result: string) =>
    fixed(label, funcType(['i32'], [result]), (w) => { locals(w, 1); w.byte(op); memarg(w, 0); });
  const store = (op: number, value: string) =>
    fixed(label, funcType(['i32', value], []), (w) => { locals(w, 2); w.byte(op); memarg(w, 0); });
  const copy = (dst: number, src: number) =>
    fixed(label, funcType(['i32', 'i32', 'i32'], []), (w) => {
      locals(w, 3);
      w.byte(OP.prefixFC);
      w.u32(OP.memoryCopy);
      w.u32(dst);
      w.u32(src);
    });
  switch (name) {
    case 'size':
      // Bytes, as i64: 65536 pages of 64 KiB is 4 GiB, which a u32 cannot hold.
      return fixed(label, funcType([], ['i64']), (w) => {
        w.byte(OP.memorySize); w.u32(0);
        w.byte(OP.i64ExtendI32U);
        w.byte(OP.i64Const); w.s32(16);
        w.byte(OP.i64Shl);
      });
    case 'copy_in': return copy(local, 0);
    case 'copy_out': return copy(0, local);
    case 'load_u8': return load(OP.i32Load8U, 'i32');
    case 'load_u32': return load(OP.i32Load, 'i32');
    case 'load_u64': return load(OP.i64Load, 'i64');
    case 'store_u8': return store(OP.i32Store8, 'i32');
    case 'store_u32': return store(OP.i32Store, 'i32');
    case 'store_u64': return store(OP.i64Store, 'i64');
    default: return undefined;
  }
}

/**
 * box:config for capability `cap`: `size(segment) -> i32` and
 * `copy(segment, dst, offset, len)` over its passive segments, which are data
 * segments first, first + 1, … of the box; copied into memory `local`.
 * An unknown segment has size 0 and copies nothing.
 */
export function boxConfig(name: string, cap: string, local: number, first: number, sizes: readonly number[]): Synth | undefined {
  const label = `box:config.${name}@${cap}`;
  switch (name) {
    case 'size':
      return { ...fixed(label, funcType(['i32'], ['i32']), (w) => {
        w.byte(OP.block); w.byte(I32);
        sizes.forEach((size, k) => {
          w.byte(OP.i32Const); w.s32(size | 0);
          w.byte(OP.localGet); w.u32(0);
          w.byte(OP.i32Const); w.s32(k);
          w.byte(OP.i32Eq);
          w.byte(OP.brIf); w.u32(0);
          w.byte(OP.drop);
        });
        w.byte(OP.i32Const); w.s32(0);
        w.byte(OP.end);
      }), configSizeOf: cap };
    case 'copy':
      return fixed(label, funcType(['i32', 'i32', 'i32', 'i32'], []), (w) => {
        sizes.forEach((_, k) => {
          w.byte(OP.localGet); w.u32(0);
          w.byte(OP.i32Const); w.s32(k);
          w.byte(OP.i32Eq);
          w.byte(OP.if); w.byte(EMPTY_BLOCK);
          for (const arg of [1, 2, 3]) { w.byte(OP.localGet); w.u32(arg); } // dst, offset, len
          w.byte(OP.prefixFC); w.u32(OP.memoryInit); w.u32(first + k); w.u32(local);
          w.byte(OP.return);
          w.byte(OP.end);
        });
      });
    default:
      return undefined;
  }
}

/** Stands in for an import from a capability that is not linked: answers zeros, never traps. */
export function notLinked(module: string, name: string, type: FuncType): Synth {
  return fixed(`${module}.${name} (not linked)`, type, (w) => {
    for (const t of type.results) zero(w, t);
  });
}

/** Stands in for a host function the box may not import (--deny, --sealed): answers ENOSYS. */
export function denied(name: string, type: FuncType): Synth {
  return fixed(`wasi:${name} (denied)`, type, (w) => {
    type.results.forEach((t, i) => {
      if (i === 0 && t === I32) {
        w.byte(OP.i32Const);
        w.s32(ERRNO_NOSYS);
      } else {
        zero(w, t);
      }
    });
  });
}

function zero(w: ByteWriter, t: ValType): void {
  switch (t) {
    case 0x7f: w.byte(OP.i32Const); w.s32(0); break;
    case 0x7e: w.byte(OP.i64Const); w.s32(0); break;
    case 0x7d: w.byte(OP.f32Const); w.bytes(new Uint8Array(4)); break;
    case 0x7c: w.byte(OP.f64Const); w.bytes(new Uint8Array(8)); break;
    default: throw new Error(`cannot stand in for a function returning type 0x${t.toString(16)}`);
  }
}

/** A () -> () function calling each of `nodes` in order: the start chain and the _start wrapper. */
export function callEach(nodes: readonly number[], name = 'box:_start'): Synth {
  return {
    name,
    type: funcType([], []),
    calls: [...nodes],
    build: (calls) => {
      const w = new ByteWriter(16);
      for (const f of calls) {
        w.byte(OP.call);
        w.u32(f);
      }
      w.byte(OP.end);
      return { locals: [], body: w.finish() };
    },
  };
}

/** Trace records: u32 function id, i32 result (-1 until the call returns), then up to 9 args as u64. */
export const TRACE_RECORD = 128;
export const TRACE_RECORDS = 2048;

function memargAt(w: ByteWriter, mem: number, offset: number): void {
  if (mem === 0) {
    w.u32(0);
  } else {
    w.u32(0x40);
    w.u32(mem);
  }
  w.u32(offset);
}

/**
 * Wraps one of the program's WASI imports for --trace: writes a record of
 * the call into the trace ring (memory `mem`, next index in global `next`)
 * before calling `target`, so the last calls before a trap or an exit are
 * there too, then fills in the result.
 */
export function traceWrapper(name: string, id: number, type: FuncType, target: number | string, mem: number, next: number): Synth {
  const n = type.params.length;
  const slot = n, result = n + 1;
  return {
    name: `box:trace.${name}`,
    owner: 'app',
    type,
    calls: [target as number],
    build: (calls) => {
      const w = new ByteWriter(64);
      w.byte(0x23); w.u32(next); // global.get
      w.byte(OP.i32Const); w.s32(TRACE_RECORDS - 1);
      w.byte(0x71); // i32.and
      w.byte(OP.i32Const); w.s32(Math.log2(TRACE_RECORD));
      w.byte(0x74); // i32.shl
      w.byte(0x21); w.u32(slot); // local.set
      w.byte(OP.localGet); w.u32(slot); w.byte(OP.i32Const); w.s32(id); w.byte(OP.i32Store); memargAt(w, mem, 0);
      w.byte(OP.localGet); w.u32(slot); w.byte(OP.i32Const); w.s32(-1); w.byte(OP.i32Store); memargAt(w, mem, 4);
      type.params.slice(0, 9).forEach((t, k) => {
        w.byte(OP.localGet); w.u32(slot);
        w.byte(OP.localGet); w.u32(k);
        if (t === I32) w.byte(OP.i64ExtendI32U);
        w.byte(OP.i64Store); memargAt(w, mem, 8 + 8 * k);
      });
      w.byte(0x23); w.u32(next); w.byte(OP.i32Const); w.s32(1); w.byte(0x6a); w.byte(0x24); w.u32(next); // next += 1
      for (let k = 0; k < n; k++) { w.byte(OP.localGet); w.u32(k); }
      w.byte(OP.call); w.u32(calls[0]!);
      if (type.results.length === 1 && type.results[0] === I32) {
        w.byte(0x21); w.u32(result);
        w.byte(OP.localGet); w.u32(slot); w.byte(OP.localGet); w.u32(result); w.byte(OP.i32Store); memargAt(w, mem, 4);
        w.byte(OP.localGet); w.u32(result);
      }
      w.byte(OP.end);
      return { locals: [{ count: 2, type: I32 }], body: w.finish() };
    },
  };
}
