// box-link's read into shared memory and its validation on a worker thread:
// the same bytes and the same one-line errors as readInput, the same answers
// as WebAssembly.validate.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readShared, validateAside } from './validate-aside.ts';

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
// decodes, and the engine refuses it: i32.add with nothing on the stack
const invalid = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0x6a, 0x0b]);
const work = mkdtempSync(join(tmpdir(), 'validate-aside-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function shared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

describe('readShared', () => {
  it('reads a file whole into a SharedArrayBuffer', async () => {
    const path = join(work, 'hello.wasm');
    writeFileSync(path, hello);
    const bytes = await readShared('box-link', path);
    expect(bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(bytes).equals(hello)).toBe(true);
  });

  it("says what readInput says for a missing file and for a directory", async () => {
    await expect(readShared('box-link', join(work, 'nope.wasm'))).rejects.toThrow(/^box-link: cannot read .*nope\.wasm: no such file$/);
    await expect(readShared('box-link', work)).rejects.toThrow(/^box-link: cannot read .*: is a directory$/);
  });

  it('reads an empty file (and anything whose size fstat does not give) as readInput does', async () => {
    const path = join(work, 'empty.wasm');
    writeFileSync(path, '');
    expect((await readShared('box-link', path)).length).toBe(0);
  });
});

describe('validateAside', () => {
  it('answers what WebAssembly.validate answers, on a worker for shared bytes and here for others', async () => {
    for (const [bytes, valid] of [[hello, true], [invalid, false]] as const) {
      expect(await validateAside(shared(bytes))).toBe(valid);
      expect(await validateAside(new Uint8Array(bytes))).toBe(valid);
    }
  });
});
