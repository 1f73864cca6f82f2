// Differential check against binaryen's wasm-merge: the same program and
// capability modules, merged by wasm-merge with hand-made glue modules, must
// behave exactly like our box (same stdout, same exit code) under node:wasi.
// Capabilities' host imports are renamed to "host" before merging, or
// wasm-merge would bind them to the capabilities' own exports.

import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapabilityDescriptor } from '@marcotte/abi';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { link } from './link.ts';
import { readModule } from './binary/reader.ts';
import { writeModule } from './binary/writer.ts';
import { emptyModule, type Module } from './binary/module.ts';
import { boxApp, boxConfig, callEach, notLinked, type Synth } from './glue.ts';
import { typeOfFunc } from './merge.ts';
import { funcTypeKey } from './signature.ts';

const wasmMerge = new URL('../node_modules/binaryen/bin/wasm-merge', import.meta.url).pathname;
const root = new URL('../../../', import.meta.url).pathname;
// What clang's and asc's output use; -all would also enable proposals whose encodings binaryen writes that engines reject.
const FEATURES = ['--enable-multimemory', '--enable-bulk-memory', '--enable-sign-ext', '--enable-mutable-globals',
  '--enable-nontrapping-float-to-int', '--enable-simd', '--enable-reference-types', '--enable-multivalue'];

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-diff-'));
  mkdirSync(join(work, 'data', 'sub'), { recursive: true });
  writeFileSync(join(work, 'data', 'a.txt'), 'alpha\n');
  writeFileSync(join(work, 'data', 'sub', 'b.txt'), 'beta\n');
});
afterAll(() => process.env.KEEP || rmSync(work, { recursive: true, force: true }));

/** A module of synthesized functions, exported by name, over the given imported memories. */
function glueModule(memories: Array<[string, string]>, functions: Array<[string, Synth]>, data: Uint8Array[] = []): Uint8Array {
  const m: Module = emptyModule();
  const types = new Map<string, number>();
  const type = (s: Synth) => {
    const key = funcTypeKey(s.type);
    if (!types.has(key)) types.set(key, m.types.push(s.type) - 1);
    return types.get(key)!;
  };
  for (const [module, name] of memories) m.imports.push({ module, name, desc: { kind: 'memory', limits: { min: 0n } } });
  functions.forEach(([name, s], i) => {
    m.functions.push(type(s));
    m.codes.push(s.build(s.calls ?? []));
    m.exports.push({ name, kind: 'func', index: i });
  });
  for (const bytes of data) m.data.push({ mode: { kind: 'passive' }, bytes });
  m.dataCount = m.data.length;
  return writeModule(m);
}

/**
 * Renames a module's imports (`rename` returns [module, name] or undefined to
 * keep one) and its memory export: wasm-merge drops exports whose names
 * collide before it resolves imports, and every capability exports "memory".
 */
function renameImports(
  bytes: Uint8Array, rename: (module: string, name: string) => [string, string] | undefined, memory = 'memory', prefix = '',
): Uint8Array {
  const m = readModule(bytes);
  m.imports = m.imports.map((i) => {
    const to = rename(i.module, i.name);
    return to ? { ...i, module: to[0], name: to[1] } : i;
  });
  m.exports = m.exports.map((e) => (e.kind === 'memory' ? { ...e, name: memory } : e.name === '_start' ? { ...e, name: 'app_start' } : { ...e, name: prefix + e.name }));
  return writeModule(m);
}

function mergeWithBinaryen(program: Uint8Array, caps: CapabilityDescriptor[], settings: { entrypoint: string; args: string[]; env: string[] }): Uint8Array {
  const served = new Map<string, string>();
  for (const c of caps) for (const f of c.provides) served.set(f, c.name);
  const inputs: Array<[string, Uint8Array]> = [
    ['app', renameImports(program, (module, name) => (module === 'wasi_snapshot_preview1' && served.has(name) ? [served.get(name)!, `${served.get(name)}_${name}`] : undefined))],
  ];
  for (const cap of caps) {
    const m = readModule(cap.wasm());
    const imports = m.imports.filter((i) => i.desc.kind === 'func');
    const glue = imports.filter((i) => i.module === 'box:app').map((i): [string, Synth] => [i.name, boxApp(i.name, cap.name, 1)!]);
    const segments = cap.config?.(settings) ?? [];
    const config = imports.filter((i) => i.module === 'box:config')
      .map((i): [string, Synth] => [i.name, boxConfig(i.name, cap.name, 0, 0, segments.map((s) => s.length))!]);
    const stubs = imports.filter((i) => i.module.startsWith('box:') && !['box:app', 'box:config'].includes(i.module))
      .map((i): [string, Synth] => [`${cap.name}_${i.module.slice(4)}_${i.name}`, notLinked(i.module, i.name, typeOfFunc(m, imports.indexOf(i)))]);
    // Glue exports get names no other module uses, for the same reason as the memories.
    const unique = (list: Array<[string, Synth]>, prefix: string) => list.map(([n, s]): [string, Synth] => [`${prefix}_${n}`, s]);
    inputs.push([cap.name, renameImports(cap.wasm(), (module, name) => {
      if (module === 'wasi_snapshot_preview1') return ['host', name];
      if (module === 'box:app') return [`${cap.name}_app`, `${cap.name}_app_${name}`];
      if (module === 'box:config') return [`${cap.name}_config`, `${cap.name}_config_${name}`];
      if (module.startsWith('box:')) return [`${cap.name}_stubs`, `${cap.name}_${module.slice(4)}_${name}`];
      return undefined;
    }, `${cap.name}_memory`, `${cap.name}_`)]);
    inputs.push([`${cap.name}_app`, glueModule([['app', 'memory'], [cap.name, `${cap.name}_memory`]], unique(glue, `${cap.name}_app`))]);
    if (config.length) inputs.push([`${cap.name}_config`, glueModule([[cap.name, `${cap.name}_memory`]], unique(config, `${cap.name}_config`), segments)]);
    if (stubs.length) inputs.push([`${cap.name}_stubs`, glueModule([], stubs)]);
  }
  // _start: each capability's init, then the program's.
  const wrapper = emptyModule();
  wrapper.types.push({ params: [], results: [] });
  // The program's _start is renamed app_start: the first of two colliding exports would win.
  const calls = [...caps.filter((c) => c.init).map((c) => [c.name, `${c.name}_${c.init!}`]), ['app', 'app_start']];
  calls.forEach(([module, name]) => { wrapper.imports.push({ module: module!, name: name!, desc: { kind: 'func', type: 0 } }); });
  const start = callEach(calls.map((_, i) => i));
  wrapper.functions.push(0);
  wrapper.codes.push(start.build(start.calls!));
  wrapper.exports.push({ name: '_start', kind: 'func', index: calls.length });
  inputs.push(['wrapper', writeModule(wrapper)]);

  const args: string[] = [];
  inputs.forEach(([name, bytes]) => {
    const file = join(work, `${name}.in.wasm`);
    writeFileSync(file, bytes);
    args.push(file, name);
  });
  const out = join(work, 'merged.wasm');
  // --liftoff-only: wasm-merge is Binaryen, a 10 MB WebAssembly module, run for well under a second here;
  // V8's optimizing re-compiles of its hot functions cost more CPU than they saved (the four merges: ~2.5 s).
  const r = spawnSync(process.execPath, ['--liftoff-only', wasmMerge, ...args, ...FEATURES, '--skip-export-conflicts', '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wasm-merge failed: ${r.stderr}`);
  // Back to a WASI module: host imports under their real name, only memory and _start exported.
  const merged = readModule(readFileSync(out));
  merged.imports = merged.imports.map((i) => (i.module === 'host' ? { ...i, module: 'wasi_snapshot_preview1' } : i));
  merged.exports = merged.exports.filter((e) => e.name === 'memory' || e.name === '_start');
  return writeModule(merged);
}

async function run(bytes: Uint8Array, args: string[], env: Record<string, string>) {
  const outPath = join(work, 'out.txt'), errPath = join(work, 'err.txt');
  const out = openSync(outPath, 'w'), err = openSync(errPath, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args, env, preopens: { '/data': join(work, 'data') }, returnOnExit: true, stdout: out, stderr: err });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), wasi.getImportObject() as WebAssembly.Imports);
    const exitCode = wasi.start(instance);
    return { exitCode, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

const cases = [
  { name: 'hello', file: 'examples/hello/hello.wasm', args: ['default'], env: ['GREETING=Hallo', 'HELLO_DIR=/data'], runArgs: [] as string[] },
  { name: 'hello with run-time args', file: 'examples/hello/hello.wasm', args: ['default'], env: ['HELLO_DIR=/data/sub'], runArgs: ['x', 'y'] },
  { name: 'dir_dump', file: 'conformance/programs/dir_dump.wasm', args: ['/data'], env: [], runArgs: [] },
  { name: 'dir_dump failing', file: 'conformance/programs/dir_dump.wasm', args: ['/nowhere'], env: [], runArgs: [] },
];

describe('our box behaves as the same parts merged by binaryen wasm-merge', () => {
  it.each(cases)('$name', async ({ file, args, env, runArgs }) => {
    const program = readFileSync(join(root, file));
    const settings = { entrypoint: file.split('/').pop()!, args, env };
    const ours = link(program, { capabilities: [kernel, proc], ...settings }).bytes;
    const theirs = mergeWithBinaryen(program, [kernel, proc], settings);
    const hostArgs = ['host-argv0', ...runArgs];
    const a = await run(ours, hostArgs, { RUNTIME: '1' });
    const b = await run(theirs, hostArgs, { RUNTIME: '1' });
    expect(a).toEqual(b);
    expect(a.stdout.length + a.stderr.length).toBeGreaterThan(0);
  });
});
