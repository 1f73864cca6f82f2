// readManifest and decodeParts refuse damaged boxes with a BoxFormatError
// (one line, bad input), never another exception: found by the CLI fuzzers
// (packages/cli/src/fuzz.test.ts), where a manifest without "capabilities"
// or a box.parts section with a broken header ended as internal errors.

import { describe, expect, it } from 'vitest';
import { BOX_FORMAT, BoxFormatError, readManifest } from './box.ts';
import { decodeParts, encodeParts } from './parts.ts';

/** A minimal module: the header and one custom section "box" holding `json`. */
function boxWith(json: string): Uint8Array {
  const name = new TextEncoder().encode('box');
  const payload = new TextEncoder().encode(json);
  const size = 1 + name.length + payload.length;
  if (size >= 1 << 14) throw new Error('keep test manifests short');
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, (size & 0x7f) | 0x80, size >> 7, name.length, ...name, ...payload]);
}

const good = { format: BOX_FORMAT, capabilities: { k: { version: '1' } }, entrypoint: 'a', args: [], env: [], hostImports: [] };

describe('readManifest', () => {
  it('reads a well-formed manifest', () => {
    expect(readManifest(boxWith(JSON.stringify(good))).entrypoint).toBe('a');
  });

  it.each([
    ['capabilities missing', { ...good, capabilities: undefined }, /"capabilities" must be/],
    ['capabilities not objects', { ...good, capabilities: { k: 1 } }, /"capabilities" must be/],
    ['args of numbers', { ...good, args: [1] }, /"args" must be a list of strings/],
    ['hostImportsBy of non-lists', { ...good, hostImportsBy: { fd_write: 'app' } }, /"hostImportsBy" must be/],
    ['vfsImage without counts', { ...good, vfsImage: { first: -1, count: 1, sizeFunction: 0 } }, /"vfsImage" must be/],
    ['a newer format', { ...good, format: BOX_FORMAT + 1 }, /newer than this runtime reads/],
  ])('refuses %s with a BoxFormatError', (_, manifest, message) => {
    const bytes = boxWith(JSON.stringify(manifest));
    expect(() => readManifest(bytes)).toThrow(BoxFormatError);
    expect(() => readManifest(bytes)).toThrow(message);
  });
});

describe('decodeParts', () => {
  const parts = encodeParts({ program: new Uint8Array([1, 2, 3]), capabilities: [], denied: [] });

  it('reads what encodeParts wrote', () => {
    expect([...decodeParts(parts).program]).toEqual([1, 2, 3]);
  });

  it.each([
    ['too short', parts.subarray(0, 2)],
    ['a header longer than the section', Uint8Array.from([0xff, 0xff, 0, 0, ...parts.subarray(4)])],
    ['a header that is not JSON', (() => { const b = new Uint8Array(parts); b[5] = 0x7b; b[6] = 0x7b; return b; })()],
    ['a blob past the end', parts.subarray(0, parts.length - 1)],
  ])('refuses %s with a BoxFormatError', (_, bytes) => {
    expect(() => decodeParts(bytes)).toThrow(BoxFormatError);
  });
});
