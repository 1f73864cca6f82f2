import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readModule } from './binary/reader.ts';
import type { Module } from './binary/module.ts';
import { readNames, writeNames } from './names.ts';
import { cwdFunctions } from './workdir.ts';

// conformance/programs/cwd.c: clang + wasi-libc, calls chdir, name section kept.
const cwd = readFileSync(new URL('../../../conformance/programs/cwd.wasm', import.meta.url));

/** The program with its function names edited. */
function renamed(edit: (names: Map<number, string>) => void): Module {
  const m = readModule(cwd);
  const section = m.customs.find((c) => c.name === 'name')!;
  const names = readNames(section.bytes);
  edit(names.functions);
  section.bytes = writeNames(names);
  return m;
}
const indexOf = (names: Map<number, string>, name: string) => [...names].find(([, n]) => n === name)![0];

describe('cwdFunctions: what the box needs to start a program in its workdir', () => {
  it("finds wasi-libc's chdir, malloc (dlmalloc), free and preopen scan by name and type", () => {
    const found = cwdFunctions(readModule(cwd));
    expect(typeof found).toBe('object');
    const names = readNames(readModule(cwd).customs.find((c) => c.name === 'name')!.bytes).functions;
    const f = found as Exclude<typeof found, string>;
    expect(names.get(f.chdir)).toBe('chdir');
    expect(['malloc', 'dlmalloc']).toContain(names.get(f.malloc));
    expect(['free', 'dlfree']).toContain(names.get(f.free!));
    expect(names.get(f.populate!)).toBe('__wasilibc_populate_preopens');
  });

  it('a stripped program: no name section, nothing to call', () => {
    const m = readModule(cwd);
    m.customs = m.customs.filter((c) => c.name !== 'name');
    expect(cwdFunctions(m)).toMatch(/no name section/);
  });

  it('a program without chdir: nothing to call (wasi-libc then resolves relative paths from /)', () => {
    expect(cwdFunctions(renamed((n) => n.set(indexOf(n, 'chdir'), 'not_chdir')))).toMatch(/does not contain chdir/);
  });

  it('a name section that names the wrong thing chdir is not followed', () => {
    // a function of another type ((i32) -> () is free's)
    const wrongType = renamed((n) => {
      n.set(indexOf(n, 'chdir'), 'x');
      n.set([...n].find(([, name]) => name === 'free' || name === 'dlfree')![0], 'chdir');
    });
    expect(cwdFunctions(wrongType)).toMatch(/does not contain chdir/);
    // an import (function 0 is one of the program's WASI imports)
    const anImport = renamed((n) => {
      n.set(indexOf(n, 'chdir'), 'x');
      n.set(0, 'chdir');
    });
    expect(cwdFunctions(anImport)).toMatch(/does not contain chdir/);
  });

  it('chdir without malloc: nothing to put the directory in', () => {
    const m = renamed((n) => {
      for (const [i, name] of n) if (name === 'malloc' || name === 'dlmalloc') n.set(i, `${name}_`);
    });
    expect(cwdFunctions(m)).toMatch(/no malloc/);
  });
});
