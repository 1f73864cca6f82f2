// Property tests: whatever bytes come in, the linker answers with a box or a
// LinkError, never another exception and never a hang; and a box linked from
// a valid program is itself valid.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { link } from './link.ts';
import { LinkError } from './errors.ts';

const programs = ['../../../examples/hello/hello.wasm', '../../../conformance/programs/dir_dump.wasm']
  .map((p) => readFileSync(new URL(p, import.meta.url)));

/** Either a valid box (when the input was valid), or a LinkError. */
function checkLink(bytes: Uint8Array): void {
  let box: Uint8Array;
  try {
    box = link(bytes, { capabilities: [kernel, proc], entrypoint: 'p', args: [], env: [] }).bytes;
  } catch (e) {
    if (e instanceof LinkError) return;
    throw e;
  }
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) expect(WebAssembly.validate(box as Uint8Array<ArrayBuffer>)).toBe(true);
}

const program = fc.constantFrom(...programs);

type Mutation =
  | { kind: 'flip'; at: number[]; value: number[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // flip bytes at random places
  fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), value: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 }) }),
  // cut the file short
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  // splice random bytes in
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

function mutate(input: Uint8Array, m: Mutation): Uint8Array {
  const bytes = new Uint8Array(input);
  switch (m.kind) {
    case 'flip':
      m.at.forEach((at, i) => { bytes[at % bytes.length] = m.value[i]!; });
      return bytes;
    case 'truncate':
      return bytes.subarray(0, m.at % bytes.length);
    case 'insert': {
      const at = m.at % bytes.length;
      return new Uint8Array([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    }
  }
}

describe('linking mutated programs', () => {
  it('gives a box or a LinkError, never anything else', () => {
    fc.assert(fc.property(program, mutation, (p, m) => checkLink(mutate(p, m))), { numRuns: 300, seed: 20261127 });
  });

  it('mutations aimed at the code section still give a box or a LinkError', () => {
    // The code section is most of a program; flips there reach the instruction rewriter.
    const [hello] = programs;
    fc.assert(
      fc.property(fc.integer({ min: hello!.length >> 3, max: hello!.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = new Uint8Array(hello!);
        bytes[at] = value;
        checkLink(bytes);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('refuses arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => checkLink(bytes)), { numRuns: 200, seed: 1 });
  });
});
