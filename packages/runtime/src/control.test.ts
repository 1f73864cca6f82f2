// The linker and the runtime act on what a capability declares and exports
// (abi controls.ts, CapabilityDescriptor), never on its name: the vfs under
// another name gets the vfs's treatment (the working directory, snapshots,
// --memory's elastic share, its single-memory region, the own-filesystem
// deny), in static and dynamic mode.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeParts, findCustomSection, PARTS_SECTION, type CapabilityDescriptor, type ImageEntry } from '@marcotte/abi';
import { kernel } from '@marcotte/kernel';
import { configSegments, link } from '@marcotte/linker';
import { readSnapshot, vfs } from '@marcotte/vfs';
import { capParts, capStaticBox } from './memory-budget.ts';
import { runBox } from './node.ts';

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const cwd = readFileSync(new URL('../../../conformance/programs/cwd.wasm', import.meta.url));

/** The vfs as a capability named files, answering workdir with /data whatever the box says. */
const files: CapabilityDescriptor = { ...vfs, name: 'files', config: (settings) => vfs.config!({ ...settings, workdir: '/data' }) };
const image: ImageEntry[] = [
  { path: '/data', type: 'dir' },
  { path: '/data/note.txt', type: 'file', data: new TextEncoder().encode('in the image\n') },
];
const settings = { entrypoint: 'cwd.wasm', args: [], env: [], image };

/**
 * files before the vfs: the kernel serves the program's paths from the vfs (it imports box:vfs), while files
 * comes first in link order, so its workdir and its snapshot are the box's.
 */
const box = link(cwd, { ...settings, capabilities: [kernel, files, vfs], portable: true }).bytes;

async function run(mode: 'static' | 'dynamic') {
  let out = '';
  const result = await runBox(box, { mode, snapshot: true, onOutput: (_fd, bytes) => { out += new TextDecoder().decode(bytes); } });
  return { out, result };
}

describe('control protocols, whoever exports them', () => {
  it.each(['static', 'dynamic'] as const)('%s: the program starts where the first capability answering workdir says', async (mode) => {
    const { out, result } = await run(mode);
    expect(result.exitCode).toBe(0);
    // The vfs's own workdir is "/" (none given); /data is files'.
    expect(out).toBe('cwd /data\nnote.txt in the image\n');
  });

  it.each(['static', 'dynamic'] as const)('%s: the run\'s snapshot is the first capability\'s with snapshots', async (mode) => {
    const { result } = await run(mode);
    // The program wrote /data/out.txt into the vfs; files, which nothing routes to, still holds its image.
    const paths = readSnapshot(result.snapshot!).map((e) => e.path);
    expect(paths).toContain('/data/note.txt');
    expect(paths).not.toContain('/data/out.txt');
  });

  it('gives every capability publishing memory_limit the elastic share of --memory, static and dynamic', () => {
    expect(capStaticBox(box, 256).limits).toEqual({ files: 64, vfs: 64 });
    expect(capParts(decodeParts(findCustomSection(box, PARTS_SECTION)!), 256).limits).toEqual({ files: 64, vfs: 64 });
    const single = link(hello, { ...settings, capabilities: [kernel, files], singleMemory: true });
    expect(capStaticBox(single.bytes, 256).limits).toEqual({ files: 64 });
  });

  it('takes the declarations: a large single-memory region sized by the capability, the own-filesystem deny, the image summary', () => {
    const sized = (vfsLimits?: { maxPages: number }) =>
      link(hello, { ...settings, capabilities: [kernel, files], singleMemory: true, vfsLimits }).manifest.singleMemory!.regions.files!.pages;
    expect(sized()).toBe(16384 + 2);
    expect(sized({ maxPages: 1024 })).toBe(1024);
    const { manifest } = link(hello, { ...settings, capabilities: [kernel, files] });
    expect(manifest.hostImports.filter((f) => f.startsWith('path_') || f.startsWith('fd_prestat'))).toEqual([]);
    expect(manifest.image).toEqual({ files: 1, dirs: 1, symlinks: 0, bytes: 13 });
    // Its configuration is state (it publishes snapshot): the manifest records where it lies, under its own name.
    expect(Object.keys(manifest.configs ?? {})).toEqual(['files']);
    expect(configSegments(link(hello, { ...settings, capabilities: [kernel, files] }).bytes, 'files')).toHaveLength(2);
    // Without the declaration, the same module is a capability like any other.
    const plain: CapabilityDescriptor = { ...files, filesystem: false, regionPages: undefined };
    const plainBox = link(hello, { ...settings, capabilities: [kernel, plain] }).manifest;
    expect(plainBox.image).toBeUndefined();
    expect(plainBox.hostImports).toContain('fd_prestat_get');
    expect(link(hello, { ...settings, capabilities: [kernel, plain], singleMemory: true }).manifest.singleMemory!.regions.files!.pages).toBe(64);
  });
});
