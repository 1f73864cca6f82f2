// Programs with typed function references, (ref null? $t) of the
// function-references proposal, linked as box build links them (vfs, proc,
// the host's clock) and run. The box's types are not the program's (the host
// imports' come first), so each place a value type names a type must name the
// box's: before the linker mapped them, each of these boxes linked and then
// did not compile ("local.set[0] expected type (ref null 0), found ref.func of
// type (ref 3)").

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import binaryen from 'binaryen';
import { afterAll, describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { heapTypeOf } from './binary/code.ts';
import { readModule } from './binary/reader.ts';
import type { FuncType } from './binary/module.ts';
import { link } from './link.ts';

const work = mkdtempSync(join(tmpdir(), 'typed-refs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A program printing "ok N\n", N computed by calling $double (3 * 2) through a typed reference held where `body` and `extra` say. */
function program(body: string, extra = '', locals = '', type = '(type $cb (func (param i32) (result i32)))'): Uint8Array {
  const m = binaryen.parseText(`
(module
  ${type}
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ok ?\\n")
  ${extra}
  (elem declare func $double)
  (func $double (type $cb) (i32.mul (local.get 0) (i32.const 2)))
  (func $print (param $v i32)
    (i32.store8 (i32.const 19) (i32.add (i32.const 48) (local.get $v)))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $_start (export "_start") ${locals}
    (call $print ${body})))`);
  try {
    m.setFeatures(binaryen.Features.All);
    if (!m.validate()) throw new Error('the test program does not validate');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

const callLocal = '(block (result i32) (local.set $r (ref.func $double)) (call_ref $cb (i32.const 3) (local.get $r)))';
const programs: Record<string, Uint8Array> = {
  'a local (ref null $t)': program(callLocal, '', '(local $r (ref null $cb))'),
  'a local (ref $t)': program(callLocal, '', '(local $r (ref $cb))'),
  'a global': program('(call_ref $cb (i32.const 3) (global.get $g))', '(global $g (mut (ref null $cb)) (ref.func $double))'),
  'a table and its active segment': program('(call_ref $cb (i32.const 3) (table.get $t (i32.const 0)))',
    '(table $t 1 (ref null $cb)) (elem (table $t) (i32.const 0) (ref null $cb) (ref.func $double))'),
  'a passive segment': program('(block (result i32) (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1)) (call_ref $cb (i32.const 3) (table.get $t (i32.const 0))))',
    '(table $t 1 (ref null $cb)) (elem $e (ref $cb) (ref.func $double))'),
  "a function's parameter": program('(call $apply (ref.func $double) (i32.const 3))',
    '(func $apply (param $f (ref $cb)) (param $x i32) (result i32) (call_ref $cb (local.get $x) (local.get $f)))'),
  "a function's result": program('(call_ref $cb (i32.const 3) (call $get))', '(func $get (result (ref $cb)) (ref.func $double))'),
  'a block type': program('(call_ref $cb (i32.const 3) (block (result (ref $cb)) (ref.func $double)))'),
};

/** Counts 3 down through a reference to itself, twice: $count's type names itself (a rec group of one, kept as 0x60). */
const selfReferring = program(
  '(i32.add (call_ref $self (ref.func $count) (i32.const 3) (ref.func $count)) (i32.const 3))',
  `(type $self (func (param (ref null $self)) (param i32) (result i32)))
   (elem declare func $count)
   (func $count (type $self)
     (if (result i32) (i32.eqz (local.get 1)) (then (i32.const 0))
       (else (i32.add (i32.const 1) (call_ref $self (local.get 0) (i32.sub (local.get 1) (i32.const 1)) (local.get 0))))))`,
);

/** Runs a box under plain node:wasi: its exit code and stdout. */
function run(bytes: Uint8Array): { code: number; stdout: string } {
  const out = join(work, 'stdout');
  const fd = openSync(out, 'w');
  const wasi = new WASI({ version: 'preview1', args: ['app.wasm'], env: {}, stdout: fd, returnOnExit: true });
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { wasi_snapshot_preview1: wasi.wasiImport } as WebAssembly.Imports);
    return { code: wasi.start(instance), stdout: readFileSync(out, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

const CB: FuncType = { params: [0x7f], results: [0x7f] };
const indexOf = (types: readonly FuncType[], t: FuncType) => types.findIndex((x) => JSON.stringify(x) === JSON.stringify(t));
/** Every heap type index some value type in the module's type, global, table, element and code sections names. */
function heapIndices(bytes: Uint8Array): Set<number> {
  const m = readModule(bytes);
  const types = [
    ...m.types.flatMap((t) => [...t.params, ...t.results]), ...m.globals.map((g) => g.type.type), ...m.tables.map((t) => t.type.elem),
    ...m.elements.map((e) => e.type), ...m.codes.flatMap((c) => c.locals.map((l) => l.type)),
  ];
  return new Set(types.map(heapTypeOf).filter((h): h is number => h !== undefined && h >= 0));
}

describe('typed references in a linked program', () => {
  for (const [where, bytes] of Object.entries(programs)) {
    for (const singleMemory of [false, true]) {
      it(`${where}${singleMemory ? ', single memory' : ''}: the box names the box's type and runs`, () => {
        const box = link(bytes, {
          capabilities: [kernel, vfs, proc], entrypoint: 'app.wasm', args: [], env: [], clock: 'host', ...(singleMemory ? { singleMemory } : {}),
        }).bytes;
        // The program's $cb moves in the box: a reference left naming the program's index names another type.
        const from = indexOf(readModule(bytes).types, CB);
        const to = indexOf(readModule(box).types, CB);
        expect(to).not.toBe(from);
        if (where !== 'a block type') {
          expect(heapIndices(bytes)).toEqual(new Set([from]));
          expect(heapIndices(box)).toEqual(new Set([to]));
        }
        expect(run(box)).toEqual({ code: 0, stdout: 'ok 6\n' });
      });
    }
  }

  it("a type naming itself names its own index in the box, and runs", () => {
    const box = link(selfReferring, { capabilities: [kernel, vfs, proc], entrypoint: 'app.wasm', args: [], env: [], clock: 'host' }).bytes;
    const refersToItself = (t: FuncType, i: number) => t.params.length === 2 && heapTypeOf(t.params[0]!) === i;
    const from = readModule(selfReferring).types.findIndex(refersToItself);
    const to = readModule(box).types.findIndex(refersToItself);
    expect(from).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThanOrEqual(0);
    expect(to).not.toBe(from);
    expect(run(box)).toEqual({ code: 0, stdout: 'ok 6\n' });
  });
});
