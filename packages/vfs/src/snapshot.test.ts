import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OFLAGS_CREAT, RIGHTS_FD_WRITE } from '@marcotte/abi';
import { decodeImage, encodeImage, imageFromTar, imageOptions } from './image.ts';
import { imageFromDirectory } from './image-dir.ts';
import { frameSegments, readSnapshot, snapshotSegments, snapshotToTar } from './snapshot.ts';
import { writeEntries } from './snapshot-dir.ts';
import { dir, file, symlink, treeOf, vfsHarness } from '../test/harness.ts';
import { vfs } from './index.ts';

const CREATE = { oflags: OFLAGS_CREAT, rights: RIGHTS_FD_WRITE };
const text = (s: string) => new TextEncoder().encode(s);
const temp = mkdtempSync(join(tmpdir(), 'vfs-snapshot-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function image() {
  const shared = text('linked bytes');
  return [
    file('/etc/passwd', 'root:x:0:0\n', { mode: 0o600, mtime: 1_600_000_000_123_000_000n }),
    file('/etc/gone', 'deleted later'),
    { path: '/usr/bin/tool', type: 'file' as const, data: shared, mode: 0o755 },
    { path: '/usr/lib/tool-link', type: 'file' as const, data: shared, mode: 0o755 },
    symlink('/usr/bin/abs', '/usr/bin/tool'),
    symlink('/usr/bin/rel', '../lib/tool-link'),
    dir('/var/empty'),
    file(`/deep/${'n'.repeat(120)}/file`, 'long path'),
  ];
}

describe('snapshot', () => {
  it('frames encodeImage segments: an untouched image comes back byte for byte', async () => {
    const entries = image();
    const h = await vfsHarness(entries, { workdir: '/etc', buildTime: 5n, maxHandles: 77 });
    const segs = snapshotSegments(h.snapshot());
    expect(segs).toEqual(h.segments);
    // ...without copying any file into the file store
    expect(h.configCopies.filter(([segment]) => segment === 1).map(([, , len]) => len).sort())
      .toEqual([11, 12, 13, 9].sort());
    expect(imageOptions(segs).maxHandles).toBe(77);
  });

  it('records writes, deletions, new nodes, hard links and modes; a second call reuses the buffer', async () => {
    const h = await vfsHarness(image());
    expect(h.unlink('etc/gone')).toBe(0);
    const f = h.open('etc/new', CREATE);
    h.write(f, 'fresh');
    expect(h.link('etc/new', 'var/empty/new-link')).toBe(0);
    const t = h.open('usr/bin/tool', CREATE);
    h.write(t, 'LINKED');
    expect(h.mkdir('var/empty/sub')).toBe(0);
    expect(h.symlink('../../etc/new', 'var/empty/sub/s')).toBe(0);
    expect(h.rename('deep', 'moved')).toBe(0);
    const before = treeOf(h);
    const bytes = h.snapshot();
    const entries = readSnapshot(bytes);
    expect(entries.find((e) => e.path === '/etc/gone')).toBeUndefined();
    expect(entries.find((e) => e.path === '/etc/passwd')!.mode).toBe(0o600);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('/usr/lib/tool-link')!.data).toBe(byPath.get('/usr/bin/tool')!.data);
    expect(byPath.get('/var/empty/new-link')!.data).toBe(byPath.get('/etc/new')!.data);
    expect(new TextDecoder().decode(byPath.get('/usr/lib/tool-link')!.data)).toBe('LINKED bytes');
    // Re-encoding gives the same bytes; a new instance holds the same tree.
    const segs = snapshotSegments(bytes);
    expect(frameSegments(encodeImage(decodeImage(segs), imageOptions(segs)))).toEqual(bytes);
    const again = await vfsHarness(entries, imageOptions(segs));
    expect(treeOf(again)).toEqual(before);
    // Freed and reused: the vfs memory does not grow with repeated snapshots.
    const size = h.vfsMemoryBytes();
    for (let i = 0; i < 20; i++) expect(h.snapshot()).toEqual(bytes);
    expect(h.vfsMemoryBytes()).toBe(size);
  });

  it('writes a tar that imageFromTar reads back, hard links and long names included', async () => {
    const h = await vfsHarness(image());
    const entries = readSnapshot(h.snapshot());
    const tar = snapshotToTar(entries);
    const back = imageFromTar(tar);
    const h2 = await vfsHarness(back);
    expect(treeOf(h2, false)).toEqual(treeOf(h, false));
    const t2 = h2.stat('usr/bin/tool');
    expect(typeof t2 !== 'number' && t2.nlink).toBe(2n);
  });

  it('writes a host directory that imageFromDirectory reads back', async () => {
    const h = await vfsHarness(image());
    const entries = readSnapshot(h.snapshot());
    const out = join(temp, 'tree');
    writeEntries(entries, out);
    expect(readFileSync(join(out, 'etc/passwd'), 'utf8')).toBe('root:x:0:0\n');
    expect(statSync(join(out, 'etc/passwd')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'usr/bin/tool')).ino).toBe(statSync(join(out, 'usr/lib/tool-link')).ino);
    expect(readlinkSync(join(out, 'usr/bin/abs'))).toBe('/usr/bin/tool');
    const h2 = await vfsHarness(imageFromDirectory(out));
    expect(treeOf(h2, false)).toEqual(treeOf(h, false));
  });

  it('is published as a control export of the descriptor', () => {
    expect(vfs.control).toEqual(['snapshot', 'memory_limit']);
  });
});
