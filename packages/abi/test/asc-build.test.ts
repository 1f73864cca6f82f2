// scripts/asc.mjs, the build of the capability packages' AssemblyScript modules: one
// process compiles the packages it is given, a failing compile leaves no module behind,
// and a module counts as up to date exactly while every file its compile read (inside
// its package or not, present or looked for and missing) and wrote is unchanged.
// It lives here because the root's vitest projects are the packages, and abi's sources
// are what every module imports. One compile (a child Node that loads asc: ~2 s of CPU);
// every other case asks `--check`, which loads no compiler.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ASC = fileURLToPath(new URL('../../../scripts/asc.mjs', import.meta.url));

const tmp = mkdtempSync(join(tmpdir(), 'asc-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function put(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(join(tmp, path)), { recursive: true });
  writeFileSync(join(tmp, path), text);
}
const get = (path: string): Buffer => readFileSync(join(tmp, path));

function asc(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ASC, ...args], { cwd: tmp, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const config = (name: string): string =>
  JSON.stringify({ entries: ['assembly/index.ts'], options: { outFile: `build/${name}.wasm`, runtime: 'stub', noAssert: true } });

// `good` imports from outside its package (as the capabilities import abi) and from ./util,
// which asc finds as util/index.ts after looking for util.ts.
put('lib/assembly/shared.ts', 'export function twice(x: i32): i32 { return x * 2; }\n');
put('good/asconfig.json', config('good'));
put('good/assembly/index.ts', 'import { twice } from "../../lib/assembly/shared";\nimport { one } from "./util";\nexport function f(x: i32): i32 { return twice(x) + one(); }\n');
put('good/assembly/util/index.ts', 'export function one(): i32 { return 1; }\n');
// `bad` does not compile, and has a module and a stamp from an earlier build.
put('bad/asconfig.json', config('bad'));
put('bad/assembly/index.ts', 'export function f(): i32 { return "not a number"; }\n');
put('bad/build/bad.wasm', 'an old module');
put('bad/build/asc-stamp.json', '{"compiler":"old","read":{},"wrote":{"build/bad.wasm":"0"}}');

describe('scripts/asc.mjs', () => {
  let compiled: ReturnType<typeof asc>;
  beforeAll(() => {
    compiled = asc('good', 'bad');
  });

  it('compiles every package given, fails the build on one that does not compile, and names it in one line', () => {
    expect(compiled.status).toBe(1);
    expect(compiled.stdout).toContain('asc: good: compiled build/good.wasm');
    expect(compiled.stderr).toContain('asc: bad: failed: 1 compile error(s)');
    expect(compiled.stderr).toContain('TS2322'); // asc's own diagnostic, with its place in the source
    expect(compiled.stderr).not.toMatch(/^\s+at /m);
    const module = new WebAssembly.Module(new Uint8Array(get('good/build/good.wasm')));
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toContain('f');
    const stamp = JSON.parse(get('good/build/asc-stamp.json').toString());
    expect(Object.keys(stamp.read).sort()).toEqual(['../lib/assembly/shared.ts', 'asconfig.json', 'assembly/index.ts', 'assembly/util.ts', 'assembly/util/index.ts']);
    expect(stamp.read['assembly/util.ts']).toBeNull();
  });

  it('leaves no module or stamp where the compile failed', () => {
    expect(existsSync(join(tmp, 'bad/build/bad.wasm'))).toBe(false);
    expect(existsSync(join(tmp, 'bad/build/asc-stamp.json'))).toBe(false);
    expect(asc('--check', 'bad')).toMatchObject({ status: 1, stdout: expect.stringContaining('asc: bad: out of date: no build/asc-stamp.json') });
  });

  it('leaves an up-to-date module as it is', () => {
    expect(asc('--check', 'good')).toEqual({ status: 0, stdout: 'asc: good: up to date\n', stderr: '' });
    expect(asc('good')).toEqual({ status: 0, stdout: 'asc: good: up to date\n', stderr: '' });
  });

  // Each change is undone before the next.
  const changes: [string, () => () => void, string][] = [
    ['a file imported from another package', () => edit('lib/assembly/shared.ts', (s) => s.replace('x * 2', 'x * 3')), '../lib/assembly/shared.ts changed'],
    ['a file of the package', () => edit('good/assembly/util/index.ts', (s) => `${s}// a comment\n`), 'assembly/util/index.ts changed'],
    ['the options', () => edit('good/asconfig.json', (s) => s.replace('"stub"', '"minimal"')), 'asconfig.json changed'],
    ['a file where asc looked for one', () => create('good/assembly/util.ts', 'export function one(): i32 { return 2; }\n'), 'assembly/util.ts appeared'],
    ['the module', () => edit('good/build/good.wasm', (s) => `${s} `), 'build/good.wasm changed since it was compiled'],
    ['no module', () => remove('good/build/good.wasm'), 'build/good.wasm is missing'],
    ['another compiler', () => edit('good/build/asc-stamp.json', (s) => s.replace('"assemblyscript ', '"assemblyscript 0.0.1, was ')), 'the compiler changed'],
  ];
  it.each(changes)('compiles again after a change of %s', (_, change, why) => {
    const undo = change();
    try {
      const r = asc('--check', 'good');
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`asc: good: out of date: ${why}`);
    } finally {
      undo();
    }
  });

  it('counts the module up to date again once every change is undone: contents, not times', () => {
    expect(asc('--check', 'good')).toEqual({ status: 0, stdout: 'asc: good: up to date\n', stderr: '' });
  });

  it('refuses a directory without asconfig.json in one line', () => {
    put('plain/assembly/index.ts', 'export function f(): void {}\n');
    expect(asc('plain')).toEqual({ status: 1, stdout: '', stderr: "asc: plain: no asconfig.json (the package's entries and asc options)\n" });
  });
});

function edit(path: string, change: (text: string) => string): () => void {
  const before = get(path);
  put(path, Buffer.from(change(before.toString('latin1')), 'latin1'));
  return () => put(path, before);
}
function create(path: string, text: string): () => void {
  put(path, text);
  return () => unlinkSync(join(tmp, path));
}
function remove(path: string): () => void {
  const before = get(path);
  unlinkSync(join(tmp, path));
  return () => put(path, before);
}
