// The program dynamic mode compiles to start it in its workdir: its own
// chdir/malloc/free (and preopen scan) exported, nothing else changed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readModule, writeModule } from '@marcotte/linker';
import { exportCwdFunctions } from './dynamic-workdir.ts';

const cwd = readFileSync(new URL('../../../conformance/programs/cwd.wasm', import.meta.url));

describe('exportCwdFunctions', () => {
  it('exports the program\'s chdir, malloc and free under box.workdir.* and changes nothing else', () => {
    const before = readModule(cwd);
    const after = readModule(exportCwdFunctions(cwd)!);
    const added = after.exports.filter((e) => !before.exports.some((b) => b.name === e.name));
    expect(added.map((e) => e.name).sort()).toEqual(expect.arrayContaining(['box.workdir.chdir', 'box.workdir.free', 'box.workdir.malloc']));
    expect(added.every((e) => e.name.startsWith('box.workdir.') && e.kind === 'func')).toBe(true);
    // the same imports (the authority), functions and memories
    expect(after.imports).toEqual(before.imports);
    expect(after.codes.length).toBe(before.codes.length);
    expect(after.memories).toEqual(before.memories);
  });

  it('leaves a program alone when it has nothing to export: stripped, or already exporting one of the names', () => {
    const stripped = readModule(cwd);
    stripped.customs = [];
    expect(exportCwdFunctions(writeModule(stripped))).toBeUndefined();
    const taken = readModule(cwd);
    taken.exports.push({ name: 'box.workdir.chdir', kind: 'func', index: taken.exports.find((e) => e.kind === 'func')!.index });
    expect(exportCwdFunctions(writeModule(taken))).toBeUndefined();
    expect(exportCwdFunctions(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]))).toBeUndefined();
  });
});
