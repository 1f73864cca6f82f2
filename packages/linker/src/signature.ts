// Function types as the linker compares and prints them, and preview1's own.

import { FUNCTIONS } from '@marcotte/abi';
import { heapTypeOf } from './binary/code.ts';
import type { FuncType, ValType } from './binary/module.ts';

const NAMES: Record<number, string> = {
  0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref', 0x69: 'exnref',
};

/** The abstract heap types by their byte (a heap type's s33 value is the byte - 128). */
const HEAP_NAMES: Record<number, string> = {
  0x70: 'func', 0x6f: 'extern', 0x6e: 'any', 0x6d: 'eq', 0x6c: 'i31', 0x6b: 'struct', 0x6a: 'array',
  0x71: 'none', 0x72: 'noextern', 0x73: 'nofunc', 0x69: 'exn', 0x74: 'noexn',
};

const CODES: Record<string, ValType> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };

export function valTypeName(t: ValType): string {
  const heap = heapTypeOf(t);
  if (heap === undefined) return NAMES[t] ?? `0x${t.toString(16)}`;
  // a typed reference, as the text format writes it: (ref null 3), (ref func)
  const target = heap >= 0 ? String(heap) : (HEAP_NAMES[heap + 128] ?? `0x${(heap + 128).toString(16)}`);
  return `(ref ${t % 256 === 0x63 ? 'null ' : ''}${target})`;
}

/** "(i32, i32) -> i32", the form every linker error uses. */
export function formatFuncType(t: FuncType): string {
  const results = t.results.length === 1 ? valTypeName(t.results[0]!) : `(${t.results.map(valTypeName).join(', ')})`;
  return `(${t.params.map(valTypeName).join(', ')}) -> ${results}`;
}

export function funcType(params: readonly string[], results: readonly string[]): FuncType {
  const code = (n: string): ValType => {
    const c = CODES[n];
    if (c === undefined) throw new Error(`unknown value type ${n}`);
    return c;
  };
  return { params: params.map(code), results: results.map(code) };
}

export function sameFuncType(a: FuncType, b: FuncType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((p, i) => p === b.params[i]) && a.results.every((r, i) => r === b.results[i]);
}

/** A key equal for equal types: used to deduplicate the merged type section. */
export function funcTypeKey(t: FuncType): string {
  return `${t.params.join(',')}:${t.results.join(',')}`;
}

/** Each preview1 function's type as the spec gives it (packages/abi's table). */
export const WASI_TYPES: ReadonlyMap<string, FuncType> = new Map(FUNCTIONS.map((f) => [f.name, funcType(f.params.map((p) => p.wasm), f.results)]));
