// The manifest's authority claims are checked against the import section.

import { describe, expect, it } from 'vitest';
import { checkAuthority, denyError, hostImportNames } from './authority.ts';
import type { Manifest } from './box.ts';
import { moduleImports } from './sections.ts';

/** A module importing `imports` (module, name) as functions of type 0, () -> (). */
function moduleWith(imports: Array<[string, string]>): Uint8Array {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const body = [imports.length, ...imports.flatMap(([m, n]) => [...name(m), ...name(n), 0, 0])];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, body.length, ...body]);
}

const W = 'wasi_snapshot_preview1';
const manifest = (m: Partial<Manifest>): Manifest => ({ format: 1, capabilities: {}, entrypoint: 'x', args: [], env: [], hostImports: [], hostImportsBy: {}, sizes: {}, served: {}, ...m });

describe('denyError', () => {
  it('accepts the classes and names the first that is not one, inherited names included', () => {
    expect(denyError([])).toBeUndefined();
    expect(denyError(['fs', 'net', 'proc', 'clock', 'random'])).toBeUndefined();
    expect(denyError(['fs', 'gpu', 'tpu'])).toBe('--deny gpu: unknown capability (expected one of fs, net, proc, clock, random)');
    for (const d of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) expect(denyError([d])).toMatch(`--deny ${d}: unknown capability`);
  });
});

describe('checkAuthority', () => {
  const bytes = moduleWith([[W, 'fd_write'], [W, 'path_open']]);
  const imports = moduleImports(bytes);

  it('reads the import section', () => {
    expect(imports.map((i) => [i.module, i.name, i.kind])).toEqual([[W, 'fd_write', 0], [W, 'path_open', 0]]);
  });

  it('accepts a manifest that lists exactly the imports', () => {
    expect(() => checkAuthority(manifest({ hostImports: ['path_open', 'fd_write'], hostImportsBy: { fd_write: ['app'], path_open: ['kernel'] } }), imports)).not.toThrow();
  });

  it.each([
    ['an unlisted import', { hostImports: ['fd_write'], hostImportsBy: { fd_write: ['app'] } }, /imports path_open without listing it/],
    ['a listed function it does not import', { hostImports: ['fd_write', 'path_open', 'fd_read'] }, /lists fd_read without importing it/],
    ['a sealed claim', { hostImports: ['fd_write', 'path_open'], sealed: true, hostImportsBy: { fd_write: [], path_open: [] } }, /says sealed, but it imports path_open/],
    ['a denied claim', { hostImports: ['fd_write', 'path_open'], denied: ['fs'], hostImportsBy: { fd_write: [], path_open: [] } }, /fs is denied, but it imports path_open/],
    ['a denied name that is no class, even one every object has', { hostImports: ['fd_write', 'path_open'], denied: ['toString'], hostImportsBy: { fd_write: [], path_open: [] } }, /denies "toString", which is not a capability class/],
    ['hostImportsBy naming other functions', { hostImports: ['fd_write', 'path_open'], hostImportsBy: { fd_write: [] } }, /hostImportsBy/],
  ])('refuses %s', (_, m, message) => {
    expect(() => checkAuthority(manifest(m as Partial<Manifest>), imports)).toThrow(message);
  });

  it('refuses imports from outside preview1', () => {
    const other = moduleImports(moduleWith([['env', 'system']]));
    expect(() => checkAuthority(manifest({ hostImports: ['system'] }), other)).toThrow(/imports env\.system, which no box imports/);
  });

  it('grants dynamic mode the imports, never proc_raise', () => {
    expect(hostImportNames(moduleWith([[W, 'fd_write'], [W, 'proc_raise']]))).toEqual(new Set(['fd_write']));
  });

  it('refuses an import section that runs past its end', () => {
    const bytes = moduleWith([[W, 'fd_write']]);
    expect(() => moduleImports(bytes.subarray(0, bytes.length - 3))).toThrow(/section runs past the end|malformed/);
  });
});
