// The image format is one table (image-format.ts); the AssemblyScript
// constants are generated from it and committed, so they must match.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED, generate, PACKAGE_ROOT } from '../scripts/generate.ts';
import { ENTRY, HEADER, IMAGE_ENTRY_SIZE, IMAGE_HEADER_SIZE } from './image-format.ts';

const BYTES = { u8: 1, u16: 2, u32: 4, u64: 8 } as const;

describe('image format table', () => {
  it('is what assembly/image-format.generated.ts says (run node scripts/generate.ts after changing it)', () => {
    expect(readFileSync(join(PACKAGE_ROOT, GENERATED), 'utf8')).toBe(generate());
  });

  it.each([['header', HEADER, IMAGE_HEADER_SIZE], ['entry', ENTRY, IMAGE_ENTRY_SIZE]] as const)(
    'lays the %s fields out aligned, without overlap, inside its size', (_, fields, size) => {
      const taken = new Uint8Array(size);
      for (const [name, [at, width]] of Object.entries(fields) as [string, readonly [number, keyof typeof BYTES]][]) {
        const n = BYTES[width];
        expect(at % n, `${name} is aligned`).toBe(0);
        expect(at + n, `${name} fits`).toBeLessThanOrEqual(size);
        for (let i = at; i < at + n; i++) {
          expect(taken[i], `${name} overlaps another field`).toBe(0);
          taken[i] = 1;
        }
      }
    });
});
