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
import { readNames } from './names.ts';

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

  it('refuses proc_exit declared (i64): preview1 says (i32) (issue 16, finding 12)', () => {
    const app = program([{ name: 'proc_exit', params: [0x7e], results: [] }]);
    expect(() => link(app, { capabilities: [kernel], ...settings })).toThrow(
      'the program imports wasi_snapshot_preview1.proc_exit with type (i64) -> (), expected (i32) -> ()',
    );
  });

  it.each([
    ['_start', { params: [], results: [I32] }, "the program's _start has type () -> i32, expected () -> ()"],
    ['_start', { params: [I32], results: [] }, "the program's _start has type (i32) -> (), expected () -> ()"],
    ['_initialize', { params: [], results: [I32] }, "the program's _initialize has type () -> i32, expected () -> ()"],
  ])('refuses an entry point %s of type %j (it linked into a box that did not compile)', (name, type, message) => {
    const m = readModule(program([]));
    m.types.push(type);
    m.functions[0] = m.types.length - 1;
    m.codes[0] = { locals: [], body: new Uint8Array(type.results.length ? [0x41, 0, 0x0b] : [0x0b]) };
    m.exports.find((e) => e.name === '_start')!.name = name;
    expect(() => link(writeModule(m), { capabilities: [kernel], ...settings })).toThrow(LinkError);
    expect(() => link(writeModule(m), { capabilities: [kernel], ...settings })).toThrow(message);
  });

  it('reports settings a capability refuses as a LinkError naming it; its bugs stay what they are', () => {
    expect(() => link(hello, { capabilities: [kernel, proc], ...settings, args: ['a\0b'] })).toThrow(LinkError);
    expect(() => link(hello, { capabilities: [kernel, proc], ...settings, args: ['a\0b'] })).toThrow(/^proc: argv and env values cannot contain NUL/);
    const buggy = { ...proc, config: () => { throw new TypeError('x is undefined'); } };
    expect(() => link(hello, { capabilities: [kernel, buggy], ...settings })).toThrow(TypeError);
  });

  it('refuses a program that does not validate (it linked into a box that did not compile; found by the CLI fuzzer)', () => {
    const m = readModule(program([]));
    m.codes[0] = { locals: [], body: new Uint8Array([0x41, 0, 0x0b]) }; // leaves an i32 where _start returns nothing
    expect(() => link(writeModule(m), { capabilities: [kernel], ...settings })).toThrow(/^the program is not a valid WebAssembly module: Compiling function #0 failed: /);
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

describe('dead code and authority', () => {
  it('imports only the host functions the program can reach', () => {
    const { bytes, manifest } = link(hello, { capabilities: [kernel, proc], ...settings });
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => i.name).sort();
    expect(imports).toEqual(manifest.hostImports.slice().sort());
    // hello never touches sockets, polls, renames or links
    for (const absent of ['sock_accept', 'sock_recv', 'poll_oneoff', 'path_rename', 'path_link', 'fd_pwrite']) {
      expect(imports).not.toContain(absent);
    }
    expect(imports).toContain('fd_write');
    expect(manifest.hostImportsBy.fd_write).toEqual(['kernel']);
    expect(manifest.hostImportsBy.args_get).toEqual(['proc']);
  });

  it('drops capability functions nothing reachable calls', () => {
    const writeOnly = program([{ name: 'fd_write', params: [I32, I32, I32, I32], results: [I32] }]);
    const small = link(writeOnly, { capabilities: [kernel], ...settings });
    const { manifest } = link(hello, { capabilities: [kernel], ...settings });
    expect(small.manifest.sizes.kernel!.functions).toBeLessThan(manifest.sizes.kernel!.functions);
    // init scans the host's preopens: prestat for directories, fdstat for listening sockets (DESIGN.md §4: the kernel's fd_fdstat_get)
    expect(small.manifest.hostImports.sort()).toEqual(['fd_fdstat_get', 'fd_prestat_dir_name', 'fd_prestat_get', 'fd_write']);
  });
});

describe('names, start functions and custom sections', () => {
  it('merges the name section: program names kept, capability and glue functions named', () => {
    const { bytes } = link(hello, { capabilities: [kernel, proc], ...settings });
    const box = readModule(bytes);
    const names = readNames(box.customs.find((c) => c.name === 'name')!.bytes);
    const all = [...names.functions.values()];
    expect(all).toContain('kernel:fd_write');
    expect(all).toContain('proc:args_get');
    expect(all).toContain('box:app.copy_out@proc');
    expect(all).toContain('box:_start');
    expect(all).toContain('wasi:fd_write');
    // every program function keeps its name (its imports become wasi:* or capability functions)
    const appNames = [...readNames(readModule(hello).customs.find((c) => c.name === 'name')!.bytes).functions.values()];
    const own = appNames.filter((n) => !n.startsWith('__imported_'));
    expect(own.length).toBeGreaterThan(20);
    expect(all).toEqual(expect.arrayContaining(own));
    expect(all).toContain('by_name');
  });

  it('--strip keeps only the manifest', () => {
    const { bytes } = link(hello, { capabilities: [kernel, proc], ...settings, strip: true });
    expect(readModule(bytes).customs.map((c) => c.name)).toEqual(['box']);
  });

  it('chains capability start functions into one', () => {
    const box = readModule(link(hello, { capabilities: [kernel, proc], ...settings }).bytes);
    expect(box.start).toBeDefined();
    const names = readNames(box.customs.find((c) => c.name === 'name')!.bytes);
    expect(names.functions.get(box.start!)).toBe('box:start');
  });

  it('wraps a reactor: _initialize runs capability init first', async () => {
    const m = readModule(program([{ name: 'args_sizes_get', params: [I32, I32], results: [I32] }]));
    m.exports = m.exports.map((e) => (e.name === '_start' ? { ...e, name: '_initialize' } : e));
    const { bytes } = link(writeModule(m), { capabilities: [kernel, proc], ...settings });
    const exports = readModule(bytes).exports.map((e) => e.name);
    expect(exports).toContain('_initialize');
    expect(exports).not.toContain('_start');
    expect(WebAssembly.validate(bytes)).toBe(true);
  });
});

describe('stubs and strictness', () => {
  it('answers zeros for imports from a capability that is not linked', () => {
    const capWasm = writeModule({
      ...emptyModule(),
      types: [{ params: [], results: [I32] }, { params: [], results: [] }],
      imports: [{ module: 'box:vfs', name: 'preopen_count', desc: { kind: 'func', type: 0 } }],
      functions: [1],
      codes: [{ locals: [], body: new Uint8Array([0x10, 0x00, 0x1a, 0x0b]) }],
      memories: [{ min: 1n }],
      exports: [{ name: 'probe', kind: 'func', index: 1 }, { name: 'init', kind: 'func', index: 1 }],
    });
    const probe = { name: 'probe', version: '0', wasm: () => capWasm, provides: [], support: {}, init: 'init' };
    const app = program([]);
    const { bytes } = link(app, { capabilities: [kernel, probe as never], ...settings });
    expect(WebAssembly.validate(bytes)).toBe(true);
    const names = readNames(readModule(bytes).customs.find((c) => c.name === 'name')!.bytes);
    expect([...names.functions.values()]).toContain('box:vfs.preopen_count (not linked)');
  });

  it.each([
    ['shared memory', { min: 1n, max: 1n, shared: true }, /shared memory \(threads\)/],
    ['memory64', { min: 1n, is64: true }, /memory64/],
  ])('refuses a program with a %s', (_, memory, message) => {
    const m = readModule(program([]));
    m.memories = [memory];
    expect(() => link(writeModule(m), { capabilities: [kernel], ...settings })).toThrow(message);
  });

  it('names the file, offset and section of malformed input', () => {
    const broken = hello.slice(0, 2000);
    expect(() => link(broken, { capabilities: [kernel], ...settings, programName: 'hello.wasm' })).toThrow(
      /^hello\.wasm: malformed wasm at 0x[0-9a-f]+ in the \w+ section: /,
    );
  });
});

describe('--deny and --sealed', () => {
  it('a sealed box imports only fd_write, fd_read and proc_exit', () => {
    const { bytes, manifest } = link(hello, { capabilities: [kernel, proc], ...settings, sealed: true });
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => i.name).sort();
    expect(imports.every((n) => ['fd_write', 'fd_read', 'proc_exit'].includes(n))).toBe(true);
    expect(imports).toContain('fd_write');
    expect(manifest.sealed).toBe(true);
    const names = readNames(readModule(bytes).customs.find((c) => c.name === 'name')!.bytes);
    expect([...names.functions.values()]).toContain('wasi:args_get (denied)');
  });

  it('--deny takes a capability class away from the import section', () => {
    const { bytes, manifest } = link(hello, { capabilities: [kernel, proc], ...settings, deny: ['fs'] });
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => i.name);
    expect(imports.filter((n) => n.startsWith('path_') || n.startsWith('fd_prestat'))).toEqual([]);
    expect(imports).toContain('args_get');
    expect(manifest.denied).toEqual(['fs']);
    expect(() => link(hello, { capabilities: [kernel, proc], ...settings, deny: ['gpu'] })).toThrow(/--deny gpu: unknown capability/);
    // An inherited name is no class: it would have denied every host function and written a manifest no runtime accepts.
    expect(() => link(hello, { capabilities: [kernel, proc], ...settings, deny: ['toString'] })).toThrow(/--deny toString: unknown capability/);
  });
});
