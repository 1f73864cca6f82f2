import { describe, expect, it } from 'vitest';
import { BoxFormatError } from '@marcotte/abi';
import { exportedMemoryTypes } from './memory-types.ts';

const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
const section = (id: number, body: number[]) => [id, body.length, ...body];

/** A module importing one memory and defining three, exporting some of them (indices count the import first). */
function module(): Uint8Array {
  const imports = [1, ...name('env'), ...name('mem'), 2, 0x01, 1, 2]; // memory min 1 max 2
  const memories = [3,
    0x00, 1, // no maximum
    0x01, 0, 0x80, 0x02, // max 256 pages
    0x07, 1, 1, // shared, 64-bit, max 1
  ];
  const exports = [4, ...name('imported'), 2, 0, ...name('open'), 2, 1, ...name('capped'), 2, 2, ...name('wide'), 2, 3];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(2, imports), ...section(5, memories), ...section(7, exports)]);
}

describe('exportedMemoryTypes', () => {
  it('types each exported memory, imported ones included, by its export name', () => {
    const types = exportedMemoryTypes(module());
    expect(Object.fromEntries(types)).toEqual({
      imported: { maxBytes: 2 * 65536, shared: false, memory64: false },
      open: { maxBytes: undefined, shared: false, memory64: false },
      capped: { maxBytes: 256 * 65536, shared: false, memory64: false },
      wide: { maxBytes: 65536, shared: true, memory64: true },
    });
  });

  it('refuses a memory section that runs past its end', () => {
    const bytes = module();
    expect(() => exportedMemoryTypes(bytes.subarray(0, bytes.length - 30))).toThrow(BoxFormatError);
  });

  it('finds nothing in a module without memories', () => {
    expect(exportedMemoryTypes(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])).size).toBe(0);
  });
});
