import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeParts, findCustomSection, PARTS_SECTION, readManifest } from '@marcotte/abi';
import { proc } from '@marcotte/proc';
import type { CapabilityDescriptor } from '@marcotte/abi';
import { emptyModule } from './binary/module.ts';
import { writeModule } from './binary/writer.ts';
import { configSegments, replaceConfig } from './config.ts';
import { link } from './link.ts';
import { relink } from './relink.ts';

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const settings = { entrypoint: 'hello.wasm', args: [], env: [] };
const I32 = 0x7f;

const I64 = 0x7e;

/**
 * A stand-in for the vfs: a capability whose configuration is state (it
 * publishes the snapshot protocol, so the manifest records where its
 * configuration lies). Its init asks box:config for the size of segment 0,
 * and its configuration is whatever the image's paths spell.
 */
const fakeVfs: CapabilityDescriptor = {
  name: 'vfs', version: '0', provides: [], support: {}, init: 'init', impliedBy: { options: ['image'] }, control: ['snapshot'],
  wasm: () => writeModule({
    ...emptyModule(),
    types: [{ params: [I32], results: [I32] }, { params: [], results: [] }, { params: [], results: [I64] }],
    imports: [{ module: 'box:config', name: 'size', desc: { kind: 'func', type: 0 } }],
    functions: [1, 2],
    codes: [
      // i32.const 0; call size; drop; end
      { locals: [], body: new Uint8Array([0x41, 0x00, 0x10, 0x00, 0x1a, 0x0b]) },
      // snapshot: i64.const 0 (no state to give); end
      { locals: [], body: new Uint8Array([0x42, 0x00, 0x0b]) },
    ],
    memories: [{ min: 1n }],
    exports: [{ name: 'init', kind: 'func', index: 1 }, { name: 'snapshot', kind: 'func', index: 2 }],
  }),
  config: (s) => [new TextEncoder().encode((s.image ?? []).map((e) => e.path).join(':')), new Uint8Array([7])],
};
const withImage = (image: { path: string; type: 'dir' }[], portable = false) =>
  link(hello, { capabilities: [fakeVfs, proc], ...settings, image, portable }).bytes;

describe('configSegments / replaceConfig', () => {
  it('reads back a capability\'s recorded segments, and none for one the manifest records nothing of', () => {
    const box = withImage([{ path: '/a', type: 'dir' }]);
    expect(configSegments(box, 'vfs')).toEqual([new TextEncoder().encode('/a'), new Uint8Array([7])]);
    expect(configSegments(box, 'proc')).toBeUndefined();
    expect(configSegments(link(hello, { capabilities: [proc], ...settings }).bytes, 'vfs')).toBeUndefined();
  });

  it('puts other segments in place, in the module and in a portable box\'s parts, with the summary', () => {
    const box = withImage([{ path: '/a', type: 'dir' }], true);
    const other = configSegments(withImage([{ path: '/b', type: 'dir' }, { path: '/c', type: 'dir' }]), 'vfs')!;
    const summary = { files: 0, dirs: 3, symlinks: 0, bytes: 0 };
    const replaced = replaceConfig(box, 'vfs', other, { image: summary });
    expect(configSegments(replaced, 'vfs')).toEqual(other);
    expect(readManifest(replaced).image).toEqual(summary);
    const parts = decodeParts(findCustomSection(replaced, PARTS_SECTION)!);
    expect(parts.capabilities.find((c) => c.name === 'vfs')?.config).toEqual(other);
    expect(() => replaceConfig(box, 'vfs', other.slice(1))).toThrow(/segments/);
    expect(() => replaceConfig(box, 'proc', other)).toThrow(/no filesystem of its own/);
  });

  it('relink carries the configuration over byte for byte', () => {
    const box = withImage([{ path: '/kept', type: 'dir' }]);
    const again = relink(box, hello, { capabilities: [fakeVfs, proc], entrypoint: '/other.wasm' });
    expect(configSegments(again.bytes, 'vfs')).toEqual(configSegments(box, 'vfs'));
    expect(again.manifest.entrypoint).toBe('/other.wasm');
  });
});
