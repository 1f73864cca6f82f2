import { describe, expect, it } from 'vitest';
import { moduleImports } from './sections.ts';

/** A module with one import section holding `entries` (each already encoded). */
function withImports(entries: number[][]): Uint8Array {
  const body = [entries.length, ...entries.flat()];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, body.length, ...body]);
}
const name = (s: string): number[] => [s.length, ...[...s].map((c) => c.charCodeAt(0))];

describe('moduleImports', () => {
  it('reads past every descriptor to the next import, as the binary spells it', () => {
    const imports = withImports([
      // a memory64 with a maximum of 2^33 pages (a 64-bit LEB) and a custom page size of 1 (log 0)
      [...name('m'), ...name('mem'), 2, 0x0d, 1, 0x80, 0x80, 0x80, 0x80, 0x20, 0],
      // a table of (ref null 0): its element type carries a type index
      [...name('m'), ...name('tab'), 1, 0x63, 0, 0, 1],
      // a global of (ref func), immutable
      [...name('m'), ...name('g'), 3, 0x64, 0x70, 0],
      [...name('wasi_snapshot_preview1'), ...name('fd_write'), 0, 0],
    ]);
    expect(moduleImports(imports).map((i) => `${i.module}.${i.name}:${i.kind}`)).toEqual(['m.mem:2', 'm.tab:1', 'm.g:3', 'wasi_snapshot_preview1.fd_write:0']);
  });

  it('refuses an import of an unknown kind', () => {
    expect(() => moduleImports(withImports([[...name('m'), ...name('x'), 9]]))).toThrow(/unknown import kind 9/);
  });
});
