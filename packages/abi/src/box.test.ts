// readManifest and decodeParts refuse damaged boxes with a BoxFormatError
// (one line, bad input), never another exception: found by the CLI fuzzers
// (packages/cli/src/fuzz.test.ts), where a manifest without "capabilities"
// or a box.parts section with a broken header ended as internal errors.

import { describe, expect, it } from 'vitest';
import { BOX_FORMAT, BoxFormatError, configPlacementFields, configPlacementOf, readManifest, type Manifest } from './box.ts';
import { decodeParts, encodeParts } from './parts.ts';

/** A minimal module: the header and one custom section "box" holding `json`. */
function boxWith(json: string): Uint8Array {
  const name = new TextEncoder().encode('box');
  const payload = new TextEncoder().encode(json);
  const size = 1 + name.length + payload.length;
  if (size >= 1 << 14) throw new Error('keep test manifests short');
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, (size & 0x7f) | 0x80, size >> 7, name.length, ...name, ...payload]);
}

const good = { format: BOX_FORMAT, capabilities: { k: { version: '1' } }, entrypoint: 'a', args: [], env: [], hostImports: [], hostImportsBy: {}, sizes: {}, served: {} };

describe('readManifest', () => {
  it('reads a well-formed manifest', () => {
    expect(readManifest(boxWith(JSON.stringify(good))).entrypoint).toBe('a');
    const build = { from: 'scratch', layers: [{ digest: 'sha256:0', instruction: 'COPY a /', line: 2, size: 1024, chown: '1:1' }], labels: { a: 'b' }, exposed: ['80/tcp'], volumes: ['/v'], shell: ['/bin/sh', '-c'] };
    expect(readManifest(boxWith(JSON.stringify({ ...good, build }))).build).toEqual(build);
  });

  it.each([
    ['capabilities missing', { ...good, capabilities: undefined }, /"capabilities" must be/],
    ['capabilities not objects', { ...good, capabilities: { k: 1 } }, /"capabilities" must be/],
    ['args of numbers', { ...good, args: [1] }, /"args" must be a list of strings/],
    // The type says every linker writes these; the check agrees (they used to be optional only here).
    ['sizes missing', { ...good, sizes: undefined }, /"sizes" must be an object of \{ functions, code, data \}/],
    ['hostImportsBy missing', { ...good, hostImportsBy: undefined }, /"hostImportsBy" must be an object of lists of strings/],
    ['served of numbers', { ...good, served: { fd_write: 1 } }, /"served" must be an object of strings/],
    ['image without a count', { ...good, image: { files: 1, dirs: 1, symlinks: 1 } }, /"image\.bytes" must be a count/],
    ['hostImportsBy of non-lists', { ...good, hostImportsBy: { fd_write: 'app' } }, /"hostImportsBy" must be/],
    ['vfsImage without counts', { ...good, vfsImage: { first: -1, count: 1, sizeFunction: 0 } }, /"vfsImage\.first" must be a count/],
    ['configs without counts', { ...good, configs: { vfs: { first: 1, count: 'x', sizeFunction: 0 } } }, /"configs" must be an object of \{ first, count, sizeFunction \}/],
    ['configs that is a list', { ...good, configs: [] }, /"configs" must be an object/],
    ['a newer format', { ...good, format: BOX_FORMAT + 1 }, /newer than this runtime reads/],
    // build records that made box inspect and FROM fail inside (issue 16, finding 12)
    ['an empty build record', { ...good, build: {} }, /"build\.from" must be a string/],
    ['build layers that are a string', { ...good, build: { from: 'scratch', layers: 'x' } }, /"build\.layers" must be a list/],
    ['a null build layer', { ...good, build: { from: 'scratch', layers: [null] } }, /"build\.layers" must be a list/],
    ['a build layer without a digest', { ...good, build: { from: 'scratch', layers: [{ instruction: 'COPY', line: 1, size: 0 }] } }, /"build\.layers" must be/],
    ['build labels that are a number', { ...good, build: { from: 'scratch', layers: [], labels: 5 } }, /"build\.labels" must be an object of strings/],
    ['build volumes that are a number', { ...good, build: { from: 'scratch', layers: [], volumes: 3 } }, /"build\.volumes" must be a list of strings/],
    ['build exposed that is a string', { ...good, build: { from: 'scratch', layers: [], exposed: '80' } }, /"build\.exposed" must be a list of strings/],
    ['a build shell of numbers', { ...good, build: { from: 'scratch', layers: [], shell: [1] } }, /"build\.shell" must be a list of strings/],
  ])('refuses %s with a BoxFormatError', (_, manifest, message) => {
    const bytes = boxWith(JSON.stringify(manifest));
    expect(() => readManifest(bytes)).toThrow(BoxFormatError);
    expect(() => readManifest(bytes)).toThrow(message);
  });
});

describe('configuration placements', () => {
  const at = { first: 2, count: 1, sizeFunction: 7 };

  it('records the stateful capabilities only, and reads each back under its own name', () => {
    const fields = configPlacementFields({ vfs: at, proc: { first: 4, count: 1, sizeFunction: 8 } }, ['vfs', 'files']);
    expect(fields).toEqual({ configs: { vfs: at } });
    const manifest = { ...good, ...fields } as Manifest;
    expect(configPlacementOf(manifest, 'vfs')).toEqual(at);
    expect(configPlacementOf(manifest, 'proc')).toBeUndefined();
    expect(configPlacementOf(manifest, 'constructor')).toBeUndefined();
    expect(configPlacementFields({ proc: at }, ['vfs'])).toEqual({});
  });

  it('reads the vfs placement of a box linked before configs (vfsImage), and prefers configs', () => {
    expect(configPlacementOf({ ...good, vfsImage: at } as Manifest, 'vfs')).toEqual(at);
    expect(configPlacementOf({ ...good, vfsImage: at } as Manifest, 'files')).toBeUndefined();
    expect(configPlacementOf({ ...good, vfsImage: at, configs: {} } as Manifest, 'vfs')).toBeUndefined();
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
