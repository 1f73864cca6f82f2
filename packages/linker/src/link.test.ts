import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { readManifest } from '@marcotte/abi';
import { link } from './link.ts';
import { LinkError } from './errors.ts';
import { readModule } from './binary/reader.ts';
import { writeModule } from './binary/writer.ts';
import { emptyModule, type Module } from './binary/module.ts';

const I32 = 0x7f;
const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const settings = { entrypoint: 'hello.wasm', args: ['a'], env: ['GREETING=hi'] };

/** A minimal command importing the given WASI functions with the given types. */
function program(imports: Array<{ name: string; params: number[]; results: number[]; module?: string }>): Uint8Array {
  const m: Module = emptyModule();
  for (const imp of imports) {
    m.types.push({ params: imp.params, results: imp.results });
    m.imports.push({ module: imp.module ?? 'wasi_snapshot_preview1', name: imp.name, desc: { kind: 'func', type: m.types.length - 1 } });
  }
  m.types.push({ params: [], results: [] });
  m.functions.push(m.types.length - 1);
  m.codes.push({ locals: [], body: new Uint8Array([0x0b]) });
  m.memories.push({ min: 1n });
  m.exports.push({ name: 'memory', kind: 'memory', index: 0 }, { name: '_start', kind: 'func', index: imports.length });
  return writeModule(m);
}

describe('link', () => {
  it('produces a multi-memory box whose memory 0 is the app memory exported as "memory"', () => {
    const { bytes } = link(hello, { capabilities: [kernel, proc], ...settings });
    expect(WebAssembly.validate(bytes)).toBe(true);
    const box = readModule(bytes);
    const app = readModule(hello);
    expect(box.memories.length).toBeGreaterThanOrEqual(2);
    expect(box.memories[0]).toEqual(app.memories[0]);
    expect(box.exports.find((e) => e.name === 'memory')).toEqual({ name: 'memory', kind: 'memory', index: 0 });
    const modules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => i.module));
    expect([...modules]).toEqual(['wasi_snapshot_preview1']);
    expect(box.exports.filter((e) => e.name === '_start' || e.name === '_initialize').map((e) => e.name)).toEqual(['_start']);
  });

  it('writes the manifest and says who serves each WASI call', () => {
    const { bytes, manifest } = link(hello, { capabilities: [kernel, proc], ...settings });
    expect(readManifest(bytes)).toEqual(manifest);
    expect(manifest.capabilities).toEqual({ kernel: { version: kernel.version }, proc: { version: proc.version } });
    expect(manifest.served.fd_write).toBe('kernel');
    expect(manifest.served.args_get).toBe('proc');
    expect(manifest.args).toEqual(['a']);
  });

  it('passes WASI calls no capability serves through to the host', () => {
    const app = program([{ name: 'clock_time_get', params: [I32, 0x7e, I32], results: [I32] }]);
    const { bytes, manifest } = link(app, { capabilities: [kernel], ...settings });
    expect(manifest.served.clock_time_get).toBe('host');
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => i.name)).toContain('clock_time_get');
  });

  it('is reproducible: the same inputs give the same bytes', () => {
    const a = link(hello, { capabilities: [kernel, proc], ...settings }).bytes;
    const b = link(hello, { capabilities: [kernel, proc], ...settings }).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('refuses an import with a wrong signature, naming module, field, expected and actual type', () => {
    const app = program([{ name: 'fd_write', params: [I32], results: [I32] }]);
    expect(() => link(app, { capabilities: [kernel], ...settings })).toThrow(LinkError);
    expect(() => link(app, { capabilities: [kernel], ...settings })).toThrow(
      'the program imports wasi_snapshot_preview1.fd_write with type (i32) -> i32, expected (i32, i32, i32, i32) -> i32',
    );
  });

  it('refuses imports from modules other than wasi_snapshot_preview1', () => {
    const app = program([{ module: 'env', name: 'host_thing', params: [], results: [] }]);
    expect(() => link(app, { capabilities: [kernel], ...settings })).toThrow(
      'the program imports env.host_thing: a box can only import wasi_snapshot_preview1 functions',
    );
  });

  it('refuses a function that is not in preview1', () => {
    const app = program([{ name: 'fd_frobnicate', params: [], results: [I32] }]);
    expect(() => link(app, { capabilities: [kernel], ...settings })).toThrow(/fd_frobnicate, which is not a preview1 function/);
  });

  it('refuses a program without its memory exported as "memory"', () => {
    const m = readModule(program([]));
    m.exports = m.exports.filter((e) => e.name !== 'memory');
    expect(() => link(writeModule(m), { capabilities: [kernel], ...settings })).toThrow(/export its memory as "memory"/);
  });

  it('refuses a program that is both a command and a reactor', () => {
    const m = readModule(program([]));
    m.exports.push({ name: '_initialize', kind: 'func', index: 0 });
    expect(() => link(writeModule(m), { capabilities: [kernel], ...settings })).toThrow(/both _start and _initialize/);
  });

  it('hides capability exports but their memories', () => {
    const { bytes } = link(hello, { capabilities: [kernel, proc], ...settings });
    const names = readModule(bytes).exports.map((e) => e.name).sort();
    expect(names).toEqual(['_start', 'box.kernel.memory', 'box.proc.memory', 'memory']);
  });
});
