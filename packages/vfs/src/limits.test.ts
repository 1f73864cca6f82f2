// Link-time limits (encodeImage options, enforced by the vfs) and running
// out of memory: every call answers an errno, nothing traps, and what was
// stored stays readable.

import { describe, expect, it } from 'vitest';
import {
  ERRNO_FBIG, ERRNO_MFILE, ERRNO_NAMETOOLONG, ERRNO_NOENT, ERRNO_NOSPC, ERRNO_SUCCESS, OFLAGS_CREAT, OFLAGS_DIRECTORY,
  RIGHTS_FD_WRITE,
} from '@marcotte/abi';
import { decodeImage, encodeImage, imageOptions } from './image.ts';
import { readSnapshot, snapshotSegments } from './snapshot.ts';
import { type Harness, type Stat, deepChainImage, file, symlink, vfsHarness } from '../test/harness.ts';

const CREATE = { oflags: OFLAGS_CREAT, rights: RIGHTS_FD_WRITE };

describe('limits', () => {
  it('has defaults: 1 GiB files, 4096-byte paths, 1024 handles, no page limit, 64 MiB of metadata', () => {
    const o = imageOptions(encodeImage([]));
    expect([o.maxFileSize, o.maxPath, o.maxHandles, o.maxPages, o.maxMeta]).toEqual([1 << 30, 4096, 1024, 0, 64 << 20]);
    expect(() => encodeImage([], { maxMeta: 100 })).toThrow(/maxMeta/);
    expect(() => encodeImage([], { maxPages: 8 })).toThrow(/maxPages/);
    expect(() => encodeImage([], { maxFileSize: 2 ** 32 })).toThrow(/maxFileSize/);
  });

  it('max file size: EFBIG for writes, truncation and fd_allocate past it', async () => {
    const h = await vfsHarness([], { maxFileSize: 1000 });
    const f = h.open('f', CREATE);
    expect(h.write(f, new Uint8Array(1000))).toEqual([ERRNO_SUCCESS, 1000]);
    expect(h.write(f, 'x')[0]).toBe(ERRNO_FBIG);
    expect(h.e.fd_filestat_set_size!(f, 1001n)).toBe(ERRNO_FBIG);
    expect(h.e.fd_allocate!(f, 1000n, 1n)).toBe(ERRNO_FBIG);
    expect((h.fstat(f) as Stat).size).toBe(1000n);
  });

  it('max path: ENAMETOOLONG from that many bytes on', async () => {
    const h = await vfsHarness([], { maxPath: 64 });
    expect(h.stat('a'.repeat(63))).toBe(ERRNO_NOENT);
    expect(h.stat('a/'.repeat(32))).toBe(ERRNO_NAMETOOLONG);
    expect(h.symlink('t'.repeat(64), 'link')).toBe(ERRNO_NAMETOOLONG);
  });

  it('max handles: EMFILE, and closing one makes room', async () => {
    const h = await vfsHarness([file('/f', 'x')], { maxHandles: 8 });
    const open: number[] = [];
    for (let i = 1; i < 8; i++) open.push(h.open('f')); // the "/" preopen holds one
    expect(open.every((x) => x >= 0)).toBe(true);
    expect(h.open('f')).toBe(-ERRNO_MFILE);
    h.e.fd_close!(open[3]!);
    expect(h.open('f')).toBeGreaterThanOrEqual(0);
  });

  it('unlinking a symlink does not give the quota back bytes it never took', async () => {
    const h = await vfsHarness([symlink('/s', '../somewhere')], { quota: 10 });
    expect(h.unlink('s')).toBe(ERRNO_SUCCESS);
    const f = h.open('f', CREATE);
    expect(h.write(f, 'x'.repeat(10))).toEqual([ERRNO_SUCCESS, 10]);
    expect(h.write(f, 'y')[0]).toBe(ERRNO_NOSPC);
  });

  it('image hard links are one inode with the right nlink before every name is read', async () => {
    const data = new TextEncoder().encode('one file');
    const h = await vfsHarness([
      { path: '/a/x', type: 'file', data }, { path: '/b/y', type: 'file', data }, { path: '/c/z', type: 'file', data },
    ]);
    expect((h.stat('a/x') as Stat).nlink).toBe(3n);
    expect(h.unlink('b/y')).toBe(ERRNO_SUCCESS);
    const f = h.open('a/x', CREATE);
    h.write(f, 'ONE');
    expect(h.readText(h.open('c/z'))).toBe('ONE file');
    expect((h.stat('c/z') as Stat).nlink).toBe(2n);
    expect((h.stat('c/z') as Stat).ino).toBe((h.stat('a/x') as Stat).ino);
  });
});

describe('metadata quota (max meta)', () => {
  // Issue 16 finding 7: a million symlinks with 4000-byte targets, or millions of empty files, held
  // gigabytes of host memory that the byte quota never counted.
  it('symlinks with long targets: ENOSPC once their names and targets reach it, and removing them gives it back', async () => {
    const h = await vfsHarness([], { maxMeta: 1 << 20, quota: 0 });
    const target = 't'.repeat(4000);
    let n = 0;
    let err = 0;
    for (; n < 10_000 && err === 0; n++) err = h.symlink(target, `s${n}`);
    expect(err).toBe(ERRNO_NOSPC);
    // About 1 MiB / (4000 + an inode and a name)
    expect(n).toBeGreaterThan(200);
    expect(n).toBeLessThan(270);
    expect(h.unlink('s0')).toBe(ERRNO_SUCCESS);
    expect(h.symlink(target, 'again')).toBe(ERRNO_SUCCESS);
    expect(h.readlink('again', 8)).toEqual([ERRNO_SUCCESS, 'tttttttt']);
  });

  it('empty files, directories and hard links count too', async () => {
    for (const make of [
      (h: Harness, i: number) => { const f = h.open(`f${i}`, CREATE); return f < 0 ? -f : h.e.fd_close!(f); },
      (h: Harness, i: number) => h.mkdir(`d${i}`),
      (h: Harness, i: number) => h.link('one', `l${i}`),
    ]) {
      const h = await vfsHarness([file('/one', 'x')], { maxMeta: 64 << 10 });
      let n = 0;
      let err = 0;
      for (; n < 100_000 && err === 0; n++) err = make(h, n);
      expect(err).toBe(ERRNO_NOSPC);
      expect(n).toBeGreaterThan(200);
      expect(n).toBeLessThan(2000);
    }
  });

  it('a rename to a longer name counts the difference; removing image names frees room', async () => {
    const h = await vfsHarness([file('/a/x', 'x'), file('/a/y', 'y')], { maxMeta: 4096 });
    let n = 0;
    while (h.symlink('t'.repeat(100), `s${n}`) === ERRNO_SUCCESS) n++;
    expect(h.rename('s0', `s0${'n'.repeat(200)}`)).toBe(ERRNO_NOSPC);
    expect(h.rename('s0', 'r')).toBe(ERRNO_SUCCESS);
    expect(h.symlink('t'.repeat(100), 'more')).toBe(ERRNO_NOSPC);
    expect(h.unlink('a/x')).toBe(ERRNO_SUCCESS);
    expect(h.unlink('a/y')).toBe(ERRNO_SUCCESS);
    expect(h.symlink('t'.repeat(100), 'more')).toBe(ERRNO_SUCCESS);
  });
});

describe('path length of every node (max path)', () => {
  // Issue 16 finding 10: a tree nested 200,000 deep made every tool that reads the box quadratic.
  it('mkdir, create, symlink and link answer ENAMETOOLONG where the absolute path would reach max path', async () => {
    const h = await vfsHarness([file('/f', 'x')], { maxPath: 64 });
    let handle = h.root;
    let depth = 0;
    // Relative to the deepest handle each time: no single path argument is long.
    for (; depth < 100; depth++) {
      if (h.mkdir('dd', handle) !== ERRNO_SUCCESS) break;
      handle = h.open('dd', { dir: handle, oflags: OFLAGS_DIRECTORY });
    }
    // "/dd" * 21 = 63 bytes: the last that fits
    expect(depth).toBe(21);
    expect(h.mkdir('dd', handle)).toBe(ERRNO_NAMETOOLONG);
    expect(h.open('f', { dir: handle, ...CREATE })).toBe(-ERRNO_NAMETOOLONG);
    expect(h.symlink('x', 'ab', handle)).toBe(ERRNO_NAMETOOLONG);
    expect(h.link('f', 'ab', false, handle)).toBe(ERRNO_NAMETOOLONG);
  });

  it('rename refuses to move a directory where a path below it would reach max path, also through image directories not read yet', async () => {
    const deep = `/img/${'a/'.repeat(20)}leaf`; // 5 + 40 + 4 = 49 bytes
    const h = await vfsHarness([file(deep, 'x')], { maxPath: 64 });
    expect(h.mkdir('0123456789')).toBe(ERRNO_SUCCESS);
    // /0123456789/img/a/a.../leaf = 11 + 49 = 60: fits; /0123456789/x/imggg/a/a.../leaf = 64 does not.
    expect(h.rename('img', '0123456789/img')).toBe(ERRNO_SUCCESS);
    expect(h.mkdir('0123456789/x')).toBe(ERRNO_SUCCESS);
    expect(h.rename('0123456789/img', '0123456789/x/imggg')).toBe(ERRNO_NAMETOOLONG);
    expect(h.rename('0123456789/img', '0123456789/x/imgg')).toBe(ERRNO_SUCCESS);
    expect(h.rename('0123456789/x/imgg', '0123456789/img')).toBe(ERRNO_SUCCESS);
    expect(h.rename('0123456789/img', 'i')).toBe(ERRNO_SUCCESS);
    expect(h.readText(h.open(`i/${'a/'.repeat(20)}leaf`))).toBe('x');
    // A file's own new path counts too.
    expect(h.rename(`i/${'a/'.repeat(20)}leaf`, `i/${'a/'.repeat(20)}${'l'.repeat(30)}`)).toBe(ERRNO_NAMETOOLONG);
  });

  it('a forged image nested 200,000 deep: decodeImage refuses it at once, and the vfs serves it but grows it no deeper', async () => {
    const segments = deepChainImage(200_000);
    expect(() => decodeImage(segments)).toThrow(/^vfs image entry 2048: its path is longer than the image's max path \(4096 bytes\)$/);
    const h = await vfsHarness(segments);
    let handle = h.root;
    for (let i = 0; i < 2100; i++) {
      const next = h.open('d', { dir: handle, oflags: OFLAGS_DIRECTORY });
      if (handle !== h.root) h.e.fd_close!(handle);
      handle = next;
    }
    expect(handle).toBeGreaterThan(0);
    expect(h.mkdir('x', handle)).toBe(ERRNO_NAMETOOLONG);
    expect(h.mkdir('x')).toBe(ERRNO_SUCCESS);
    // Moving the chain under a longer name would lengthen every path in it.
    expect(h.rename('d', 'x/d')).toBe(ERRNO_NAMETOOLONG);
  });

  it('encodeImage and decodeImage refuse paths of max path bytes or more with one line', () => {
    expect(() => encodeImage([file(`/${'a/'.repeat(40)}f`, 'x')], { maxPath: 64 })).toThrow(/image path is 82 bytes, longer than the image's max path \(64\)/);
    const segments = encodeImage([file(`/${'a/'.repeat(20)}f`, 'x')], { maxPath: 64 });
    // The same image, read by a box whose header says 32.
    new DataView(segments[0]!.buffer, segments[0]!.byteOffset).setUint32(48, 32, true);
    expect(() => decodeImage(segments)).toThrow(/vfs image entry \d+: its path is longer than the image's max path \(32 bytes\)/);
  });
});

describe('the host\'s memory cap (memory_limit, box run --memory)', () => {
  it('plans within it as with max pages: symlinks until ENOSPC, nothing traps, memory stays below the cap', async () => {
    const h = await vfsHarness([file('/keep', 'kept')], { maxMeta: 0xffff_ffff }, undefined, 64);
    let n = 0;
    let err = 0;
    for (; n < 100_000 && err === 0; n++) err = h.symlink('t'.repeat(4000), `s${n}`);
    expect(err).toBe(ERRNO_NOSPC);
    expect(h.readText(h.open('keep'))).toBe('kept');
    expect(h.vfsMemoryBytes()).toBeLessThanOrEqual(64 * 65536);
    // The cap is the host's, not the image's: a snapshot does not carry it.
    expect(h.unlink('s0')).toBe(ERRNO_SUCCESS);
    for (let i = 1; i < 100; i++) h.unlink(`s${i}`);
    expect(imageOptions(snapshotSegments(h.snapshot())).maxPages).toBe(0);
  });
});

describe('snapshots within a fixed memory', () => {
  it('count the inodes there are, not every inode number ever handed out', async () => {
    // box run --memory --commit of a program that made and removed many files: the snapshot's
    // guard asked for room for all of them and answered 0 for good.
    const h = await vfsHarness([file('/keep', 'kept')], {}, undefined, 64);
    for (let i = 0; i < 20_000; i++) {
      const f = h.open('tmp', CREATE);
      expect(h.e.fd_close!(f)).toBe(ERRNO_SUCCESS);
      expect(h.unlink('tmp')).toBe(ERRNO_SUCCESS);
    }
    expect(readSnapshot(h.snapshot()).map((e) => e.path)).toEqual(['/', '/keep']);
  });
});

describe('running out of memory (max pages)', () => {
  it('answers ENOSPC for file bytes and for metadata, never traps, and keeps working', async () => {
    const pages = 64;
    const h = await vfsHarness([file('/keep', 'kept')], { maxPages: pages, quota: 1 << 30 });
    const chunk = new Uint8Array(60_000).fill(7);
    let files = 0;
    let err = 0;
    for (; files < 1000; files++) {
      const f = h.open(`big${files}`, CREATE);
      if (f < 0) {
        err = -f;
        break;
      }
      [err] = h.write(f, chunk);
      h.e.fd_close!(f);
      if (err !== ERRNO_SUCCESS) break;
    }
    expect(err).toBe(ERRNO_NOSPC);
    // Metadata: directories until memory says no.
    let dirs = 0;
    for (; dirs < 100_000; dirs++) {
      err = h.mkdir(`d${dirs}-${'n'.repeat(200)}`);
      if (err !== ERRNO_SUCCESS) break;
    }
    expect(err).toBe(ERRNO_NOSPC);
    expect(dirs).toBeGreaterThan(0);
    // Nothing trapped; lookups, reads, listings and closes still work.
    for (let i = 0; i < 200; i++) {
      expect(h.readText(h.open('keep'))).toBe('kept');
      expect((h.stat('big0') as Stat).size).toBe(60_000n);
    }
    const root = h.open('.', { oflags: OFLAGS_DIRECTORY });
    const names = h.list(root);
    expect(names.filter((n) => n.startsWith('d')).length).toBe(dirs);
    expect(names).toContain('keep');
    // New names need metadata memory (this one would double the names' table); freed file bytes make room for bytes.
    expect(h.mkdir(`d${dirs}-${'n'.repeat(200)}`)).toBe(ERRNO_NOSPC);
    expect(h.unlink('big0')).toBe(ERRNO_SUCCESS);
    const g = h.open('keep', { rights: RIGHTS_FD_WRITE });
    expect(h.write(g, chunk)).toEqual([ERRNO_SUCCESS, 60_000]);
    // The snapshot answers 0 while memory is full, and works once there is room again.
    expect(h.e.snapshot!()).toBe(0n as unknown as number);
    for (let i = 1; i < files; i++) h.unlink(`big${i}`);
    for (let i = 0; i < dirs; i++) expect(h.rmdir(`d${i}-${'n'.repeat(200)}`)).toBe(ERRNO_SUCCESS);
    expect(h.mkdir('again')).toBe(ERRNO_SUCCESS);
    const entries = readSnapshot(h.snapshot());
    const paths = entries.map((e) => e.path);
    expect(paths).toContain('/again');
    expect(paths.filter((p) => p.startsWith('/d'))).toEqual([]);
    expect(entries.find((e) => e.path === '/keep')!.data!.length).toBe(60_000);
    // The runtime allocator got its arena up front and never grew past the limit.
    expect(h.vfsMemoryBytes()).toBeLessThanOrEqual(pages * 65536);
  });

  it('memory filled by large files, then freed, holds small files again (larger free blocks are split)', async () => {
    // Found by conformance/hostile (exhaust vfsmem): file blocks were reused only within their size class.
    const h = await vfsHarness([], { maxPages: 32, quota: 1 << 30 });
    const chunk = new Uint8Array(60_000).fill(1);
    let files = 0;
    for (; files < 1000; files++) {
      const f = h.open(`big${files}`, CREATE);
      if (f < 0) break;
      const [err] = h.write(f, chunk);
      h.e.fd_close!(f);
      if (err !== ERRNO_SUCCESS) break;
    }
    expect(files).toBeGreaterThan(2);
    for (let i = 0; i <= files; i++) h.unlink(`big${i}`);
    for (let i = 0; i < 100; i++) {
      const f = h.open(`small${i}`, CREATE);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(h.write(f, `small file ${i}`)[0]).toBe(ERRNO_SUCCESS);
      h.e.fd_close!(f);
    }
    expect(h.readText(h.open('small99'))).toBe('small file 99');
    expect(h.vfsMemoryBytes()).toBeLessThanOrEqual(32 * 65536);
  });
});
