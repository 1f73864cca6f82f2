// wasiImportProblem: what a host checks before compiling a box or a part
// (issue 16, finding 12: a box importing proc_exit as (i64) handed node:wasi
// a BigInt exit code and box run ended with a stack trace).

import { describe, expect, it } from 'vitest';
import { writeModule } from './binary/writer.ts';
import { emptyModule } from './binary/module.ts';
import { wasiImportProblem } from './host-imports.ts';

const I32 = 0x7f, I64 = 0x7e;

function importing(imports: Array<{ module?: string; name: string; params: number[]; results: number[] }>): Uint8Array {
  const m = emptyModule();
  for (const imp of imports) {
    m.types.push({ params: imp.params, results: imp.results });
    m.imports.push({ module: imp.module ?? 'wasi_snapshot_preview1', name: imp.name, desc: { kind: 'func', type: m.types.length - 1 } });
  }
  m.types.push({ params: [], results: [] });
  m.functions.push(m.types.length - 1);
  m.codes.push({ locals: [], body: new Uint8Array([0x0b]) });
  return writeModule(m);
}

describe('wasiImportProblem', () => {
  it('accepts the spec\'s types, and imports from other modules (the host refuses those when it instantiates)', () => {
    expect(wasiImportProblem(importing([{ name: 'proc_exit', params: [I32], results: [] }, { name: 'fd_write', params: [I32, I32, I32, I32], results: [I32] }]))).toBeUndefined();
    expect(wasiImportProblem(importing([{ module: 'env', name: 'x', params: [I64], results: [] }]))).toBeUndefined();
  });

  it.each([
    ['proc_exit (i64)', { name: 'proc_exit', params: [I64], results: [] }, 'it imports wasi_snapshot_preview1.proc_exit with type (i64) -> (), expected (i32) -> ()'],
    ['fd_write returning nothing', { name: 'fd_write', params: [I32, I32, I32, I32], results: [] }, /fd_write with type \(i32, i32, i32, i32\) -> \(\), expected/],
    ['a name preview1 lacks', { name: 'fd_frobnicate', params: [], results: [I32] }, 'it imports wasi_snapshot_preview1.fd_frobnicate, which is not a preview1 function'],
  ])('names %s', (_, imp, message) => {
    const problem = wasiImportProblem(importing([imp]));
    if (typeof message === 'string') expect(problem).toBe(message);
    else expect(problem).toMatch(message);
  });
});
