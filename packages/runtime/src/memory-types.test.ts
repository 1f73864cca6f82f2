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

/** A module of one section: `id`, then `count` as a 5-byte LEB128, then `filler` zero bytes (a forged count over a long body). */
function forgedCount(id: number, count: number, filler: number): Uint8Array {
  const body = new Uint8Array(5 + filler);
  for (let i = 0, v = count; i < 5; i++, v = Math.floor(v / 128)) body[i] = (v & 0x7f) | (i < 4 ? 0x80 : 0);
  const size = [];
  for (let v = body.length; ; v = Math.floor(v / 128)) {
    size.push((v & 0x7f) | (v >= 128 ? 0x80 : 0));
    if (v < 128) break;
  }
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, id, ...size, ...body]);
}

describe('exportedMemoryTypes on forged counts (it reads the box before V8 has validated it)', () => {
  // Before the limits it read a memory per two zero bytes until the section ended: 25 s and 2.4 GB
  // for a 64 MB box, a heap abort at 256 MB. Now it stops at the count, as V8 does (byte 17: just past it).
  it.each([
    ['memories', 5, 100_001],
    ['imports', 2, 1_000_001],
    ['exports', 7, 1_000_001],
    ['memories', 5, 2 ** 32 - 1],
  ])('refuses more %s than V8 accepts at the count, not after reading them', (_, id, count) => {
    expect(() => exportedMemoryTypes(forgedCount(id, count, 1 << 20))).toThrow(/more entries than an engine accepts .* at byte 17$/);
  });

  it('reads as many memories as V8 accepts', () => {
    expect(() => exportedMemoryTypes(forgedCount(5, 100_000, 200_000))).not.toThrow();
  });

  it('keeps only the names asked for', () => {
    const types = exportedMemoryTypes(module(), (name) => name.startsWith('c'));
    expect([...types.keys()]).toEqual(['capped']);
  });

  it('reads a name of megabytes whole', () => {
    const long = 'box.vfs.memory'.padEnd(3 << 20, 'x');
    // export section: 1 export, its name's length 3 MiB as LEB128, the name, memory 0; its size 3 MiB + 7
    const head = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(5, [1, 0x00, 1]), 7, 0x87, 0x80, 0xc0, 0x01, 1, 0x80, 0x80, 0xc0, 0x01];
    const bytes = new Uint8Array(head.length + long.length + 2);
    bytes.set(head);
    bytes.set(new TextEncoder().encode(long), head.length);
    bytes.set([2, 0], head.length + long.length);
    expect([...exportedMemoryTypes(bytes).keys()]).toEqual([long]);
  });
});
