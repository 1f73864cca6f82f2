// Functions the linker synthesizes: the box:app interface over two memories,
// box:config over a passive data segment, the chained start function and the
// _start wrapper. Each is a few instructions; V8 inlines them at call sites.

import { ByteWriter } from './binary/leb.ts';
import type { Code, FuncType } from './binary/module.ts';
import { funcType } from './signature.ts';

const OP = {
  end: 0x0b, call: 0x10, localGet: 0x20,
  i32Load: 0x28, i64Load: 0x29, i32Load8U: 0x2d, i32Store: 0x36, i64Store: 0x37, i32Store8: 0x3a,
  memorySize: 0x3f, i32Const: 0x41, i64Const: 0x42, i64Shl: 0x86, i64ExtendI32U: 0xad,
  prefixFC: 0xfc, memoryInit: 8, memoryCopy: 10,
} as const;

export interface Synth {
  type: FuncType;
  code: Code;
}

function body(emit: (w: ByteWriter) => void): Code {
  const w = new ByteWriter(32);
  emit(w);
  w.byte(OP.end);
  return { locals: [], body: w.finish() };
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
 * The box:app function `name` for a capability whose memory is `local`
 * (the app's memory is always 0). Undefined for names box:app does not have.
 */
export function boxApp(name: string, local: number): Synth | undefined {
  const load = (op: number, result: string): Synth => ({
    type: funcType(['i32'], [result]),
    code: body((w) => { locals(w, 1); w.byte(op); memarg(w, 0); }),
  });
  const store = (op: number, value: string): Synth => ({
    type: funcType(['i32', value], []),
    code: body((w) => { locals(w, 2); w.byte(op); memarg(w, 0); }),
  });
  const copy = (dst: number, src: number): Synth => ({
    type: funcType(['i32', 'i32', 'i32'], []),
    code: body((w) => {
      locals(w, 3);
      w.byte(OP.prefixFC);
      w.u32(OP.memoryCopy);
      w.u32(dst);
      w.u32(src);
    }),
  });
  switch (name) {
    case 'size':
      // Bytes, as i64: 65536 pages of 64 KiB is 4 GiB, which a u32 cannot hold.
      return {
        type: funcType([], ['i64']),
        code: body((w) => {
          w.byte(OP.memorySize); w.u32(0);
          w.byte(OP.i64ExtendI32U);
          w.byte(OP.i64Const); w.s32(16);
          w.byte(OP.i64Shl);
        }),
      };
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

/** box:config.size and box:config.copy over passive data segment `data`, copied into memory `local`. */
export function boxConfig(name: string, local: number, data: number, size: number): Synth | undefined {
  switch (name) {
    case 'size':
      return { type: funcType([], ['i32']), code: body((w) => { w.byte(OP.i32Const); w.s32(size | 0); }) };
    case 'copy':
      return {
        type: funcType(['i32'], []),
        code: body((w) => {
          locals(w, 1);
          w.byte(OP.i32Const); w.s32(0);
          w.byte(OP.i32Const); w.s32(size | 0);
          w.byte(OP.prefixFC); w.u32(OP.memoryInit); w.u32(data); w.u32(local);
        }),
      };
    default:
      return undefined;
  }
}

/** A () -> () function calling each of `funcs` in order: the start chain and the _start wrapper. */
export function callEach(funcs: readonly number[]): Synth {
  return {
    type: funcType([], []),
    code: body((w) => {
      for (const f of funcs) {
        w.byte(OP.call);
        w.u32(f);
      }
    }),
  };
}
