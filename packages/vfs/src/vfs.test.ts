import { describe, expect, it } from 'vitest';
import {
  ERRNO_BADF, ERRNO_EXIST, ERRNO_INVAL, ERRNO_ISDIR, ERRNO_LOOP, ERRNO_NAMETOOLONG, ERRNO_NOENT,
  ERRNO_NOSPC, ERRNO_NOTCAPABLE, ERRNO_NOTDIR, ERRNO_NOTEMPTY, ERRNO_PERM, ERRNO_SUCCESS, FDFLAGS_APPEND,
  FDFLAGS_NONBLOCK, FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SYMBOLIC_LINK, FSTFLAGS_ATIM,
  FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW, OFLAGS_CREAT, OFLAGS_DIRECTORY, OFLAGS_EXCL, OFLAGS_TRUNC,
  PREOPENTYPE_DIR, RIGHTS_FD_READ, RIGHTS_FD_WRITE, WHENCE_CUR, WHENCE_END, WHENCE_SET,
} from '@marcotte/abi';
import { NOW, dir, file, symlink, vfsHarness, type Stat } from '../test/harness.ts';
import { vfs } from './index.ts';

const text = (s: string) => new TextEncoder().encode(s);
const CREATE = { oflags: OFLAGS_CREAT, rights: RIGHTS_FD_WRITE };

describe('preopens', () => {
  it('offers "/" only, whatever the workdir: paths resolve from "/", as getcwd() answers', async () => {
    const one = await vfsHarness([file('/a', 'x')]);
    expect(one.preopens).toBe(1);
    const two = await vfsHarness([file('/srv/app/a', 'in workdir')], { workdir: '/srv/app' });
    expect(two.preopens).toBe(1);
    expect(two.readText(two.open('srv/app/a'))).toBe('in workdir');
    expect(two.e.preopen_count!()).toBe(1); // idempotent
    expect(two.e.preopen!(1) >>> 0).toBe(0xffffffff);
  });

  it('answers fd_prestat_get and fd_prestat_dir_name for preopens only', async () => {
    const h = await vfsHarness([], { workdir: '/w' });
    expect(h.e.fd_prestat_get!(h.root, 0x100)).toBe(ERRNO_SUCCESS);
    expect(h.view().getUint8(0x100)).toBe(PREOPENTYPE_DIR);
    expect(h.view().getUint32(0x104, true)).toBe(1);
    expect(h.e.fd_prestat_dir_name!(h.root, 0x200, 1)).toBe(ERRNO_SUCCESS);
    expect(h.view().getUint8(0x200)).toBe('/'.charCodeAt(0));
    expect(h.e.fd_prestat_dir_name!(h.root, 0x200, 0)).toBe(ERRNO_NAMETOOLONG); // wasmtime; node:wasi says ENOBUFS
    const f = h.open('w/f', CREATE);
    expect(h.e.fd_prestat_get!(f, 0x100)).toBe(ERRNO_BADF);
    expect(h.e.fd_prestat_get!(999, 0x100)).toBe(ERRNO_BADF);
  });
});

describe('files', () => {
  it('reads image files through several iovecs, and pread does not move the position', async () => {
    const h = await vfsHarness([file('/etc/hello', 'hello world')]);
    const f = h.open('etc/hello');
    expect(f).toBeGreaterThanOrEqual(0);
    const [err, got] = h.read(f, [5, 3]);
    expect(err).toBe(ERRNO_SUCCESS);
    expect(new TextDecoder().decode(got)).toBe('hello wo');
    expect(new TextDecoder().decode(h.read(f, [100], 6n)[1])).toBe('world');
    expect(new TextDecoder().decode(h.read(f)[1])).toBe('rld');
    expect(h.read(f)[1].length).toBe(0);
  });

  it('writes, appends with FDFLAGS_APPEND, and pwrite leaves the position alone', async () => {
    const h = await vfsHarness();
    const f = h.open('f', CREATE);
    expect(h.write(f, 'abcdef')).toEqual([ERRNO_SUCCESS, 6]);
    expect(h.write(f, 'XY', 1n)).toEqual([ERRNO_SUCCESS, 2]);
    expect(h.seek(f, 0n, WHENCE_CUR)).toEqual([ERRNO_SUCCESS, 6n]);
    const a = h.open('f', { fdflags: FDFLAGS_APPEND, rights: RIGHTS_FD_WRITE });
    h.seek(a, 0n, WHENCE_SET);
    expect(h.write(a, '!!')).toEqual([ERRNO_SUCCESS, 2]);
    expect(h.readText(h.open('f'))).toBe('aXYdef!!');
    expect(h.e.fd_fdstat_set_flags!(f, FDFLAGS_APPEND)).toBe(ERRNO_SUCCESS);
    h.seek(f, 0n, WHENCE_SET);
    h.write(f, '?');
    expect(h.readText(h.open('f'))).toBe('aXYdef!!?');
    expect(h.e.fd_fdstat_set_flags!(f, 0x100)).toBe(ERRNO_INVAL);
  });

  it('seeks past the end; the hole reads as zeros; bad seeks answer EINVAL', async () => {
    const h = await vfsHarness();
    const f = h.open('f', CREATE);
    h.write(f, 'ab');
    expect(h.seek(f, 4n, WHENCE_END)).toEqual([ERRNO_SUCCESS, 6n]);
    h.write(f, 'z');
    expect([...h.read(h.open('f'))[1]]).toEqual([97, 98, 0, 0, 0, 0, 122]);
    expect(h.seek(f, -100n, WHENCE_CUR)[0]).toBe(ERRNO_INVAL);
    expect(h.seek(f, 0n, 7)[0]).toBe(ERRNO_INVAL);
    expect(h.e.fd_tell!(f, 0x100)).toBe(ERRNO_SUCCESS);
    expect(h.view().getBigUint64(0x100, true)).toBe(7n);
  });

  it('resizes: set_size shrinks and grows with zeros, fd_allocate only grows', async () => {
    const h = await vfsHarness([file('/f', 'abcdef')]);
    const f = h.open('f', { rights: RIGHTS_FD_WRITE });
    expect(h.e.fd_filestat_set_size!(f, 3n)).toBe(ERRNO_SUCCESS);
    expect(h.e.fd_filestat_set_size!(f, 5n)).toBe(ERRNO_SUCCESS);
    expect([...h.read(f)[1]]).toEqual([97, 98, 99, 0, 0]);
    expect(h.e.fd_allocate!(f, 0n, 2n)).toBe(ERRNO_SUCCESS);
    expect((h.fstat(f) as Stat).size).toBe(5n);
    expect(h.e.fd_allocate!(f, 8n, 2n)).toBe(ERRNO_SUCCESS);
    expect((h.fstat(f) as Stat).size).toBe(10n);
    expect(h.e.fd_allocate!(f, 0n, 0n)).toBe(ERRNO_INVAL);
  });

  it('O_EXCL, O_TRUNC, O_DIRECTORY and creating with a trailing slash', async () => {
    const h = await vfsHarness([file('/f', 'data'), dir('/d')]);
    expect(h.open('f', { oflags: OFLAGS_CREAT | OFLAGS_EXCL })).toBe(-ERRNO_EXIST);
    expect(h.open('new', { oflags: OFLAGS_CREAT | OFLAGS_EXCL })).toBeGreaterThanOrEqual(0);
    const t = h.open('f', { oflags: OFLAGS_TRUNC, rights: RIGHTS_FD_WRITE });
    expect((h.fstat(t) as Stat).size).toBe(0n);
    expect(h.open('f', { oflags: OFLAGS_DIRECTORY })).toBe(-ERRNO_NOTDIR);
    expect(h.open('d', { oflags: OFLAGS_TRUNC })).toBe(-ERRNO_ISDIR);
    expect(h.open('d', { rights: RIGHTS_FD_WRITE })).toBe(-ERRNO_ISDIR);
    // The write right opens for writing, which a directory refuses even with O_DIRECTORY (wasmtime, path_open_preopen).
    expect(h.open('d', { oflags: OFLAGS_DIRECTORY, rights: RIGHTS_FD_WRITE })).toBe(-ERRNO_ISDIR);
    expect(h.open('.', { rights: RIGHTS_FD_WRITE })).toBe(-ERRNO_ISDIR);
    expect(h.open('d', { oflags: OFLAGS_DIRECTORY, rights: RIGHTS_FD_READ })).toBeGreaterThanOrEqual(0);
    expect(h.open('nf/', { oflags: OFLAGS_CREAT })).toBe(-ERRNO_ISDIR);
    expect(h.open('missing')).toBe(-ERRNO_NOENT);
    expect(h.open('f', { oflags: 0x10 })).toBe(-ERRNO_INVAL);
  });

  it('answers EISDIR for reads and writes on a directory, EBADF for closed handles', async () => {
    const h = await vfsHarness([dir('/d')]);
    const d = h.open('d', { oflags: OFLAGS_DIRECTORY });
    expect(h.read(d)[0]).toBe(ERRNO_ISDIR);
    expect(h.write(d, 'x')[0]).toBe(ERRNO_ISDIR);
    expect(h.seek(d, 0n, WHENCE_SET)[0]).toBe(ERRNO_BADF);
    expect(h.e.fd_close!(d)).toBe(ERRNO_SUCCESS);
    expect(h.e.fd_close!(d)).toBe(ERRNO_BADF);
    expect(h.read(d)[0]).toBe(ERRNO_BADF);
    expect(h.e.fd_sync!(d)).toBe(ERRNO_BADF);
    expect(h.e.fd_sync!(h.root)).toBe(ERRNO_SUCCESS);
    expect(h.e.fd_datasync!(h.root)).toBe(ERRNO_SUCCESS);
  });

  it('fd_fdstat_get reports filetype and flags; fd_advise validates', async () => {
    const h = await vfsHarness([file('/f', 'x')]);
    const f = h.open('f', { fdflags: FDFLAGS_NONBLOCK });
    expect(h.e.fd_fdstat_get!(f, 0x100)).toBe(ERRNO_SUCCESS);
    expect(h.view().getUint8(0x100)).toBe(FILETYPE_REGULAR_FILE);
    expect(h.view().getUint16(0x102, true)).toBe(FDFLAGS_NONBLOCK);
    expect(h.e.fd_fdstat_get!(h.root, 0x100)).toBe(ERRNO_SUCCESS);
    expect(h.view().getUint8(0x100)).toBe(FILETYPE_DIRECTORY);
    expect(h.e.fd_advise!(f, 0n, 10n, 4)).toBe(ERRNO_SUCCESS);
    expect(h.e.fd_advise!(f, 0n, 10n, 9)).toBe(ERRNO_INVAL);
  });

  it('answers a repeated lookup from its cache only while no directory entry is removed', async () => {
    const h = await vfsHarness([file('/d/f', 'one'), file('/d/g', 'two'), dir('/e'), symlink('/s', 'd/f')]);
    const ino = (path: string) => (h.stat(path) as Stat).ino;
    const f = ino('d/f');
    expect(ino('d/f')).toBe(f); // the second lookup is the cached one
    expect(h.rename('d/g', 'd/f')).toBe(ERRNO_SUCCESS);
    expect(ino('d/f')).not.toBe(f);
    expect(h.stat('d/g')).toBe(ERRNO_NOENT);
    expect(h.unlink('d/f')).toBe(ERRNO_SUCCESS);
    expect(h.stat('d/f')).toBe(ERRNO_NOENT);
    // the same bytes from another directory, and with or without following, are other lookups
    const e = h.open('e', { oflags: 0x2 });
    expect(h.e.fd_close!(h.open('x', { oflags: 0x1, dir: e }))).toBe(ERRNO_SUCCESS);
    expect((h.stat('x', true, e) as Stat).filetype).toBe(4);
    expect(h.stat('x')).toBe(ERRNO_NOENT);
    expect(h.mkdir('d/f')).toBe(ERRNO_SUCCESS);
    expect((h.stat('s', false) as Stat).filetype).toBe(7);
    expect((h.stat('s') as Stat).filetype).toBe(3);
  });

  it('walks only the last name in the directory of the previous lookup, until an entry is removed', async () => {
    const h = await vfsHarness([dir('/a/b/c'), dir('/a/x'), symlink('/a/l', 'b')]);
    // Creates in one directory: each resolves a/b/c/ from the cache, then one new name.
    for (let i = 0; i < 50; i++) expect(h.e.fd_close!(h.open(`a/b/c/f${i}`, CREATE))).toBe(ERRNO_SUCCESS);
    expect(h.list(h.open('a/b/c', { oflags: OFLAGS_DIRECTORY })).length).toBe(52);
    // The cached prefix is not used for "." or ".." or more than one name after it.
    expect((h.stat('a/b/c/..') as Stat).ino).toBe((h.stat('a/b') as Stat).ino);
    expect((h.stat('a/b/c/.') as Stat).ino).toBe((h.stat('a/b/c') as Stat).ino);
    expect(h.stat('a/b/c/f1/x')).toBe(ERRNO_NOTDIR);
    // Moving the directory away removes its entry: the same bytes now name nothing.
    expect(h.stat('a/b/c/f1')).toMatchObject({ filetype: FILETYPE_REGULAR_FILE });
    expect(h.rename('a/b/c', 'a/x/c')).toBe(ERRNO_SUCCESS);
    expect(h.stat('a/b/c/f1')).toBe(ERRNO_NOENT);
    expect(h.open('a/b/c/new', CREATE)).toBe(-ERRNO_NOENT);
    expect(h.stat('a/x/c/f1')).toMatchObject({ filetype: FILETYPE_REGULAR_FILE });
    // A symlink as the last name may climb with "..": the walk behind the cached directory is kept.
    expect(h.symlink('../..', 'a/x/up')).toBe(ERRNO_SUCCESS);
    expect(h.stat('a/x/nothing')).toBe(ERRNO_NOENT);
    expect((h.stat('a/x/up') as Stat).ino).toBe((h.stat('.') as Stat).ino);
    // A directory reached through a symlink is never cached: its path's bytes are not the walk.
    expect(h.e.fd_close!(h.open('a/l/y', CREATE))).toBe(ERRNO_SUCCESS);
    expect(h.unlink('a/l')).toBe(ERRNO_SUCCESS);
    expect(h.symlink('x', 'a/l')).toBe(ERRNO_SUCCESS);
    expect(h.stat('a/l/y')).toBe(ERRNO_NOENT);
    expect(h.stat('a/l/c/f1')).toMatchObject({ filetype: FILETYPE_REGULAR_FILE });
  });

  it('removes entries in constant time and compacts a directory without moving readdir cookies', async () => {
    const h = await vfsHarness([dir('/d')]);
    const CREATE = { oflags: 0x1 };
    for (let i = 0; i < 300; i++) expect(h.e.fd_close!(h.open(`d/f${i}`, CREATE))).toBe(ERRNO_SUCCESS);
    const d = h.open('d', { oflags: 0x2 });
    // a cookie in the middle, taken before any removal
    const before = h.readdir(d, 0n, 24 * 160).entries;
    const cookie = before.at(-1)!.next;
    const resumeFrom = before.at(-1)!.name;
    for (let i = 1; i < 300; i += 2) expect(h.unlink(`d/f${i}`)).toBe(ERRNO_SUCCESS); // 150 tombstones: compacted on the way
    for (let i = 0; i < 300; i++) expect(typeof h.stat(`d/f${i}`) === 'number').toBe(i % 2 === 1);
    const names = h.list(d, 1 << 16).filter((n) => n !== '.' && n !== '..');
    expect(names).toEqual(Array.from({ length: 150 }, (_, k) => `f${2 * k}`));
    // resuming from the old cookie gives the entries after it that are still there, none twice
    const rest = h.readdir(d, cookie, 1 << 16).entries.map((e) => e.name);
    const at = Number(resumeFrom.slice(1));
    expect(rest).toEqual(Array.from({ length: 150 }, (_, k) => `f${2 * k}`).filter((n) => Number(n.slice(1)) > at));
    // names come back into the freed places' directory and are found again
    expect(h.rename('d/f0', 'd/f1')).toBe(ERRNO_SUCCESS);
    expect(h.e.fd_close!(h.open('d/f3', CREATE))).toBe(ERRNO_SUCCESS);
    expect(typeof h.stat('d/f1')).toBe('object');
    expect(typeof h.stat('d/f3')).toBe('object');
    expect(h.stat('d/f0')).toBe(ERRNO_NOENT);
    for (let i = 2; i < 300; i += 2) expect(h.unlink(`d/f${i}`)).toBe(ERRNO_SUCCESS);
    expect(h.unlink('d/f1')).toBe(ERRNO_SUCCESS);
    expect(h.unlink('d/f3')).toBe(ERRNO_SUCCESS);
    expect(h.rmdir('d')).toBe(ERRNO_SUCCESS); // empty again: tombstones do not count
  });

  it('keeps its index exact through growth, removals in any order and compaction, and live inode numbers distinct', async () => {
    // Records keep no hash: growing, compacting and backward-shift deletion hash the names again.
    const h = await vfsHarness([dir('/d')]);
    const CREATE = { oflags: 0x1 };
    const N = 3000;
    for (let i = 0; i < N; i++) expect(h.e.fd_close!(h.open(`d/n${i}`, CREATE))).toBe(ERRNO_SUCCESS);
    // a fixed shuffle (xorshift) removes two thirds in no particular order
    let x = 0x9e3779b9;
    const order = Array.from({ length: N }, (_, i) => i);
    for (let i = N - 1; i > 0; i--) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const j = (x >>> 0) % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const gone = new Set(order.slice(0, (2 * N) / 3));
    for (const i of order.slice(0, (2 * N) / 3)) expect(h.unlink(`d/n${i}`)).toBe(ERRNO_SUCCESS);
    const inos = new Set<bigint>();
    for (let i = 0; i < N; i++) {
      const st = h.stat(`d/n${i}`);
      expect(typeof st === 'number', `d/n${i}`).toBe(gone.has(i));
      if (typeof st !== 'number') inos.add(st.ino);
    }
    expect(inos.size).toBe(N / 3);
    const d = h.open('d', { oflags: 0x2 });
    const live = Array.from({ length: N }, (_, i) => `n${i}`).filter((_, i) => !gone.has(i));
    expect(h.list(d, 1 << 16).filter((n) => n !== '.' && n !== '..')).toEqual(live);
    // the removed names come back, after the live ones in readdir order
    for (const i of gone) expect(h.e.fd_close!(h.open(`d/n${i}`, { oflags: 0x1 | 0x4 }))).toBe(ERRNO_SUCCESS);
    for (let i = 0; i < N; i++) inos.add((h.stat(`d/n${i}`) as Stat).ino);
    expect(inos.size).toBe(N);
    expect(h.list(d, 1 << 16).filter((n) => n !== '.' && n !== '..')).toEqual([...live, ...[...gone].map((i) => `n${i}`)]);
  });

  it('keeps an unlinked open file readable until its last handle closes', async () => {
    const h = await vfsHarness([file('/f', 'still here')]);
    const f = h.open('f');
    expect(h.unlink('f')).toBe(ERRNO_SUCCESS);
    expect(h.stat('f')).toBe(ERRNO_NOENT);
    expect((h.fstat(f) as Stat).nlink).toBe(0n);
    expect(h.readText(f)).toBe('still here');
    expect(h.e.fd_close!(f)).toBe(ERRNO_SUCCESS);
  });

  it('frees an inode with its last name and handle, and a reused one starts clean', async () => {
    const h = await vfsHarness([dir('/d'), symlink('/img-link', '/d'), file('/img', 'image bytes')]);
    // A file unlinked while open lives on; once closed its inode is reused.
    let f = h.open('a', CREATE);
    expect(h.write(f, 'old contents')[0]).toBe(ERRNO_SUCCESS);
    expect(h.unlink('a')).toBe(ERRNO_SUCCESS);
    expect(h.e.fd_close!(f)).toBe(ERRNO_SUCCESS);
    f = h.open('b', CREATE);
    expect(h.fstat(f)).toMatchObject({ size: 0n, nlink: 1n, filetype: FILETYPE_REGULAR_FILE });
    expect(h.readText(f)).toBe('');
    expect(h.e.fd_close!(f)).toBe(ERRNO_SUCCESS);
    // Symlinks (made here or from the image) and directories are freed whole and come back empty.
    for (let round = 0; round < 3; round++) {
      expect(h.symlink(`target-${round}`, 's')).toBe(ERRNO_SUCCESS);
      expect(h.readlink('s')).toEqual([ERRNO_SUCCESS, `target-${round}`]);
      expect(h.unlink('s')).toBe(ERRNO_SUCCESS);
      expect(h.mkdir('m')).toBe(ERRNO_SUCCESS);
      const m = h.open('m', { oflags: OFLAGS_DIRECTORY });
      expect(h.list(m)).toEqual(['.', '..']);
      expect(h.e.fd_close!(m)).toBe(ERRNO_SUCCESS);
      h.e.fd_close!(h.open(`m/child-${round}`, CREATE));
      expect(h.unlink(`m/child-${round}`)).toBe(ERRNO_SUCCESS);
      expect(h.rmdir('m')).toBe(ERRNO_SUCCESS);
    }
    expect(h.readlink('img-link')).toEqual([ERRNO_SUCCESS, '/d']);
    expect(h.unlink('img-link')).toBe(ERRNO_SUCCESS);
    expect(h.symlink('img', 'img-link')).toBe(ERRNO_SUCCESS);
    expect(h.readlink('img-link')).toEqual([ERRNO_SUCCESS, 'img']);
    // A directory removed while open stays usable as a handle until closed.
    expect(h.mkdir('gone')).toBe(ERRNO_SUCCESS);
    const g = h.open('gone', { oflags: OFLAGS_DIRECTORY });
    expect(h.rmdir('gone')).toBe(ERRNO_SUCCESS);
    expect(h.list(g)).toEqual(['.', '..']);
    expect(h.open('x', { ...CREATE, dir: g })).toBe(-ERRNO_NOENT);
    expect(h.e.fd_close!(g)).toBe(ERRNO_SUCCESS);
    // Churn: the vfs's memory settles (inodes and tables are reused, not leaked).
    const churn = () => {
      for (let i = 0; i < 2000; i++) {
        h.e.fd_close!(h.open(`c${i}`, CREATE));
        expect(h.symlink('c', `l${i}`)).toBe(ERRNO_SUCCESS);
        expect(h.mkdir(`d${i}`)).toBe(ERRNO_SUCCESS);
      }
      for (let i = 0; i < 2000; i++) {
        expect(h.unlink(`c${i}`)).toBe(ERRNO_SUCCESS);
        expect(h.unlink(`l${i}`)).toBe(ERRNO_SUCCESS);
        expect(h.rmdir(`d${i}`)).toBe(ERRNO_SUCCESS);
      }
    };
    churn();
    const settled = h.vfsMemoryBytes();
    for (let k = 0; k < 5; k++) churn();
    expect(h.vfsMemoryBytes()).toBe(settled);
  });
});

describe('metadata', () => {
  it('reports inode numbers, types, sizes, nlink of files and directories, and times', async () => {
    const h = await vfsHarness([file('/a/f', 'xyz', { mtime: 5n }), dir('/a/s1'), dir('/a/s2'), symlink('/l', 'a/f')]);
    const f = h.stat('a/f') as Stat;
    expect(f).toMatchObject({ filetype: FILETYPE_REGULAR_FILE, size: 3n, nlink: 1n, mtim: 5n });
    expect((h.stat('a') as Stat).nlink).toBe(4n);
    const l = h.stat('l', false) as Stat;
    expect(l).toMatchObject({ filetype: FILETYPE_SYMBOLIC_LINK, size: 3n });
    expect((h.stat('l') as Stat).ino).toBe(f.ino);
    const n = h.open('new', CREATE);
    const s = h.fstat(n) as Stat;
    expect(s.mtim).toBe(NOW);
    const inos = ['a', 'a/f', 'a/s1', 'a/s2', 'l', 'new'].map((p) => (h.stat(p, false) as Stat).ino);
    expect(new Set(inos).size).toBe(6);
    expect(h.mkdir('a/s3')).toBe(ERRNO_SUCCESS);
    expect((h.stat('a') as Stat).nlink).toBe(5n);
  });

  it('sets times with ATIM/MTIM/_NOW and refuses both at once', async () => {
    const h = await vfsHarness([file('/f', 'x')]);
    const f = h.open('f');
    expect(h.e.fd_filestat_set_times!(f, 11n, 22n, FSTFLAGS_ATIM | FSTFLAGS_MTIM)).toBe(ERRNO_SUCCESS);
    expect(h.stat('f')).toMatchObject({ atim: 11n, mtim: 22n, ctim: NOW });
    expect(h.e.path_filestat_set_times!(h.root, 0, 0x1000, 0, 0n, 0n, 0)).toBe(ERRNO_NOENT);
    expect(h.e.fd_filestat_set_times!(f, 0n, 0n, FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW)).toBe(ERRNO_INVAL);
    expect(h.e.fd_filestat_set_times!(f, 0n, 0n, FSTFLAGS_MTIM | FSTFLAGS_MTIM_NOW)).toBe(ERRNO_INVAL);
    new Uint8Array(h.app.buffer).set(text('f'), 0x1000);
    expect(h.e.path_filestat_set_times!(h.root, 0, 0x1000, 1, 0n, 33n, FSTFLAGS_MTIM | FSTFLAGS_ATIM_NOW)).toBe(ERRNO_SUCCESS);
    expect(h.stat('f')).toMatchObject({ atim: NOW, mtim: 33n });
  });

  it('uses the image build time for new timestamps when no clock is linked', async () => {
    const h = await vfsHarness([], { buildTime: 42n }, () => 0n);
    expect((h.fstat(h.open('f', CREATE)) as Stat).mtim).toBe(42n);
  });

  it('updates the parents\' mtim and ctim on unlink and rename', async () => {
    const h = await vfsHarness([file('/a/f', 'x', { mtime: 1n }), { path: '/a', type: 'dir', mtime: 1n }, { path: '/b', type: 'dir', mtime: 1n }]);
    expect(h.rename('a/f', 'b/f')).toBe(ERRNO_SUCCESS);
    expect(h.stat('a')).toMatchObject({ mtim: NOW, ctim: NOW });
    expect(h.stat('b')).toMatchObject({ mtim: NOW, ctim: NOW });
  });
});

describe('path resolution', () => {
  it('allows ".." inside the start directory and refuses climbing above it', async () => {
    const h = await vfsHarness([file('/a/b/f', 'f'), file('/top', 't')]);
    expect(h.readText(h.open('a/b/../b/./f'))).toBe('f');
    expect(h.open('../top')).toBe(-ERRNO_NOTCAPABLE);
    expect(h.open('a/../../top')).toBe(-ERRNO_NOTCAPABLE);
    const a = h.open('a', { oflags: OFLAGS_DIRECTORY });
    expect(h.open('../top', { dir: a })).toBe(-ERRNO_NOTCAPABLE);
    expect(h.open('/top')).toBe(-ERRNO_NOTCAPABLE);
  });

  it('refuses to create an absolute symlink at run time (EPERM, wasmtime), and creates nothing', async () => {
    const h = await vfsHarness([dir('/d')]);
    expect(h.symlink('/etc/passwd', 'abs')).toBe(ERRNO_PERM);
    expect(h.symlink('/', 'd/root')).toBe(ERRNO_PERM);
    expect(h.stat('abs', false)).toBe(ERRNO_NOENT);
    expect(h.stat('d/root', false)).toBe(ERRNO_NOENT);
  });

  it('resolves absolute symlink targets from the box root, also from a subdirectory handle', async () => {
    const h = await vfsHarness([
      file('/etc/alternatives/x', 'alt'), symlink('/usr/bin/x', '/etc/alternatives/x'), symlink('/usr/bin/up', '/../../etc/alternatives/x'),
    ]);
    expect(h.readText(h.open('usr/bin/x'))).toBe('alt');
    const bin = h.open('usr/bin', { oflags: OFLAGS_DIRECTORY });
    expect(h.readText(h.open('x', { dir: bin }))).toBe('alt');
    expect(h.readText(h.open('up', { dir: bin }))).toBe('alt'); // ".." at the root stays there
    expect(h.readlink('usr/bin/x')).toEqual([ERRNO_SUCCESS, '/etc/alternatives/x']);
  });

  it('follows relative symlinks, but not past the start directory', async () => {
    const h = await vfsHarness([file('/d/f', 'f'), symlink('/d/l', '../d/f'), symlink('/d/up', '../../x')]);
    expect(h.readText(h.open('d/l'))).toBe('f');
    const d = h.open('d', { oflags: OFLAGS_DIRECTORY });
    expect(h.open('l', { dir: d })).toBe(-ERRNO_NOTCAPABLE);
    expect(h.open('d/up')).toBe(-ERRNO_NOTCAPABLE);
  });

  it('answers ELOOP for loops and for a symlink opened without SYMLINK_FOLLOW', async () => {
    const h = await vfsHarness([symlink('/a', 'b'), symlink('/b', 'a'), file('/f', 'x'), symlink('/l', 'f')]);
    expect(h.open('a')).toBe(-ERRNO_LOOP);
    expect(h.stat('a/x')).toBe(ERRNO_LOOP);
    expect(h.open('l', { follow: false })).toBe(-ERRNO_LOOP);
    expect(h.open('l')).toBeGreaterThanOrEqual(0);
  });

  it('allows 40 symlink hops and no more', async () => {
    const chain = (n: number) => [file('/t', 'end'), ...Array.from({ length: n }, (_, i) => symlink(`/s${i}`, i === 0 ? 't' : `s${i - 1}`))];
    const ok = await vfsHarness(chain(40));
    expect(ok.readText(ok.open('s39'))).toBe('end');
    const over = await vfsHarness(chain(41));
    expect(over.open('s40')).toBe(-ERRNO_LOOP);
  });

  it('treats trailing slashes as "must be a directory"', async () => {
    const h = await vfsHarness([file('/f', 'x'), dir('/d'), symlink('/ld', 'd')]);
    expect(h.open('f/')).toBe(-ERRNO_NOTDIR);
    expect(h.stat('f/')).toBe(ERRNO_NOTDIR);
    expect(h.open('d/', { oflags: OFLAGS_DIRECTORY })).toBeGreaterThanOrEqual(0);
    expect((h.stat('ld/', false) as Stat).filetype).toBe(FILETYPE_DIRECTORY);
    expect(h.mkdir('nd/')).toBe(ERRNO_SUCCESS);
    expect(h.unlink('f/')).toBe(ERRNO_NOTDIR);
    expect(h.rmdir('nd/')).toBe(ERRNO_SUCCESS);
  });

  it('answers ENOENT for the empty path, EINVAL for NUL, ENAMETOOLONG for long names, ENOTDIR through files', async () => {
    const h = await vfsHarness([file('/f', 'x')]);
    expect(h.open('')).toBe(-ERRNO_NOENT);
    expect(h.open('f\0x')).toBe(-ERRNO_INVAL);
    // a NUL anywhere in a long path (the check reads eight bytes at a time), and no NUL in bytes >= 0x80
    for (let at = 0; at < 20; at++) expect(h.open(`${'y'.repeat(at)}\0${'z'.repeat(19 - at)}`)).toBe(-ERRNO_INVAL);
    expect(h.open('\u00e9\u0100\u00ff'.repeat(4))).toBe(-ERRNO_NOENT);
    expect(h.open('x'.repeat(256), CREATE)).toBe(-ERRNO_NAMETOOLONG);
    expect(h.open('x'.repeat(255), CREATE)).toBeGreaterThanOrEqual(0);
    expect(h.open('f/x')).toBe(-ERRNO_NOTDIR);
    expect(h.open('a/'.repeat(2100))).toBe(-ERRNO_NAMETOOLONG);
    expect(h.open('missing/x', CREATE)).toBe(-ERRNO_NOENT);
  });
});

describe('directories', () => {
  it('creates and removes directories with POSIX errors', async () => {
    const h = await vfsHarness([file('/d/f', 'x'), file('/g', 'y')]);
    expect(h.mkdir('d')).toBe(ERRNO_EXIST);
    expect(h.mkdir('.')).toBe(ERRNO_EXIST);
    expect(h.rmdir('d')).toBe(ERRNO_NOTEMPTY);
    expect(h.rmdir('g')).toBe(ERRNO_NOTDIR);
    expect(h.rmdir('.')).toBe(ERRNO_INVAL);
    expect(h.rmdir('nope')).toBe(ERRNO_NOENT);
    expect(h.unlink('d')).toBe(ERRNO_ISDIR);
    expect(h.unlink('d/f')).toBe(ERRNO_SUCCESS);
    const d = h.open('d', { oflags: OFLAGS_DIRECTORY });
    expect(h.rmdir('d')).toBe(ERRNO_SUCCESS);
    expect(h.open('x', { ...CREATE, dir: d })).toBe(-ERRNO_NOENT);
    expect(h.mkdir('x', d)).toBe(ERRNO_NOENT);
  });

  it('lists ".", ".." and entries, and ino of ".." is the parent', async () => {
    const h = await vfsHarness([file('/d/b', 'x'), file('/d/a', 'y'), symlink('/d/c', 'a')]);
    const d = h.open('d', { oflags: OFLAGS_DIRECTORY });
    const r = h.readdir(d);
    expect(r.entries.map((x) => x.name)).toEqual(['.', '..', 'a', 'b', 'c']);
    expect(r.entries.map((x) => x.type)).toEqual([3, 3, 4, 4, 7]);
    expect(r.entries[1]!.ino).toBe((h.fstat(h.root) as Stat).ino);
    expect(r.entries[2]!.ino).toBe((h.stat('d/a') as Stat).ino);
    expect(r.used).toBeLessThan(4096);
    expect(h.readdir(h.open('d/a')).err).toBe(ERRNO_NOTDIR);
  });

  it('fills the buffer exactly and resumes from a cookie when the last entry is cut', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `file-${String(i).padStart(2, '0')}`);
    const h = await vfsHarness(names.map((n) => file(`/d/${n}`, n)));
    const d = h.open('d', { oflags: OFLAGS_DIRECTORY });
    const r = h.readdir(d, 0n, 100);
    expect(r.used).toBe(100);
    expect(h.list(d, 100)).toEqual(['.', '..', ...names]);
    expect(h.list(d, 37)).toEqual(['.', '..', ...names]);
  });

  it('keeps cookies valid while entries are added and removed during iteration', async () => {
    const h = await vfsHarness(['a', 'b', 'c', 'd'].map((n) => file(`/d/${n}`, n)));
    const dh = h.open('d', { oflags: OFLAGS_DIRECTORY });
    const first = h.readdir(dh, 0n, 24 * 3 + 1 + 2 + 1); // ".", "..", "a"
    expect(first.entries.map((x) => x.name)).toEqual(['.', '..', 'a']);
    const cookie = first.entries.at(-1)!.next;
    expect(h.unlink('d/a')).toBe(ERRNO_SUCCESS);
    expect(h.unlink('d/c')).toBe(ERRNO_SUCCESS);
    expect(h.open('d/e', CREATE)).toBeGreaterThanOrEqual(0);
    expect(h.readdir(dh, cookie).entries.map((x) => x.name)).toEqual(['b', 'd', 'e']);
    // A re-created name is a new entry, never the old cookie's.
    expect(h.open('d/a', CREATE)).toBeGreaterThanOrEqual(0);
    const again = h.readdir(dh, cookie).entries;
    expect(again.map((x) => x.name)).toEqual(['b', 'd', 'e', 'a']);
    expect(new Set(h.readdir(dh).entries.map((x) => x.next)).size).toBe(6);
  });
});

describe('links, symlinks, renames', () => {
  it('makes hard links with the right nlink, and refuses directories', async () => {
    const h = await vfsHarness([file('/f', 'shared'), dir('/d'), symlink('/l', 'f')]);
    expect(h.link('f', 'g')).toBe(ERRNO_SUCCESS);
    expect((h.stat('f') as Stat).nlink).toBe(2n);
    expect((h.stat('g') as Stat).ino).toBe((h.stat('f') as Stat).ino);
    h.write(h.open('g', { rights: RIGHTS_FD_WRITE }), 'SH');
    expect(h.readText(h.open('f'))).toBe('SHared');
    expect(h.link('d', 'd2')).toBe(ERRNO_PERM);
    expect(h.link('f', 'g')).toBe(ERRNO_EXIST);
    expect(h.link('l', 'l2')).toBe(ERRNO_SUCCESS);
    expect((h.stat('l2', false) as Stat).filetype).toBe(FILETYPE_SYMBOLIC_LINK);
    expect(h.link('l', 'l3', true)).toBe(ERRNO_SUCCESS);
    expect((h.stat('f') as Stat).nlink).toBe(3n);
    expect(h.unlink('f')).toBe(ERRNO_SUCCESS);
    expect(h.readText(h.open('g'))).toBe('SHared');
    expect((h.stat('g') as Stat).nlink).toBe(2n);
  });

  it('creates symlinks and reads them back, truncating to a short buffer', async () => {
    const h = await vfsHarness([file('/f', 'x')]);
    expect(h.symlink('f', 'l')).toBe(ERRNO_SUCCESS);
    expect(h.symlink('f', 'l')).toBe(ERRNO_EXIST);
    expect(h.symlink('', 'm')).toBe(ERRNO_NOENT);
    expect(h.symlink('../target', 'rel')).toBe(ERRNO_SUCCESS);
    expect(h.readlink('rel')).toEqual([ERRNO_SUCCESS, '../target']);
    expect(h.readlink('rel', 4)).toEqual([ERRNO_SUCCESS, '../t']);
    expect(h.readlink('f')[0]).toBe(ERRNO_INVAL);
    expect(h.readlink('nope')[0]).toBe(ERRNO_NOENT);
  });

  it('renames files and directories under POSIX rules', async () => {
    const h = await vfsHarness([
      file('/f', 'F'), file('/g', 'G'), file('/full/x', 'x'), dir('/empty'), dir('/d/sub'), file('/d/in', 'in'),
    ]);
    expect(h.rename('f', 'g')).toBe(ERRNO_SUCCESS);
    expect(h.readText(h.open('g'))).toBe('F');
    expect(h.stat('f')).toBe(ERRNO_NOENT);
    expect(h.rename('g', 'empty')).toBe(ERRNO_ISDIR);
    expect(h.rename('d', 'g')).toBe(ERRNO_NOTDIR);
    expect(h.rename('d', 'full')).toBe(ERRNO_NOTEMPTY);
    expect(h.rename('d', 'd/sub/deeper')).toBe(ERRNO_INVAL);
    expect(h.rename('d', 'd/sub')).toBe(ERRNO_INVAL);
    expect(h.rename('nope', 'x')).toBe(ERRNO_NOENT);
    expect(h.rename('g', 'g')).toBe(ERRNO_SUCCESS);
    expect(h.rename('d', 'empty')).toBe(ERRNO_SUCCESS);
    expect(h.readText(h.open('empty/in'))).toBe('in');
    expect((h.stat('empty/sub/..') as Stat).ino).toBe((h.stat('empty') as Stat).ino);
    expect(h.rename('empty/sub', 'moved')).toBe(ERRNO_SUCCESS);
    expect((h.stat('empty') as Stat).nlink).toBe(2n);
    expect(h.rename('g', 'g2/')).toBe(ERRNO_NOTDIR);
  });
});

describe('limits and copy-on-first-use', () => {
  it('answers ENOSPC past the quota without touching stored data', async () => {
    const h = await vfsHarness([file('/img', 'image bytes')], { quota: 1000 });
    const f = h.open('f', CREATE);
    expect(h.write(f, 'a'.repeat(900))).toEqual([ERRNO_SUCCESS, 900]);
    expect(h.write(f, 'b'.repeat(200))[0]).toBe(ERRNO_NOSPC);
    expect((h.fstat(f) as Stat).size).toBe(900n);
    expect(new TextDecoder().decode(h.read(f, [2000], 0n)[1])).toBe('a'.repeat(900));
    expect(h.e.fd_filestat_set_size!(f, 2000n)).toBe(ERRNO_NOSPC);
    // Rewriting image bytes in place costs nothing; growing past them does.
    const img = h.open('img', { rights: RIGHTS_FD_WRITE });
    expect(h.write(img, 'IMAGE')).toEqual([ERRNO_SUCCESS, 5]);
    expect(h.write(img, 'x'.repeat(200), 0n)[0]).toBe(ERRNO_NOSPC);
    expect(new TextDecoder().decode(h.read(img, [100], 0n)[1])).toBe('IMAGE bytes');
    // Freed space is usable again.
    h.e.fd_close!(f);
    expect(h.unlink('f')).toBe(ERRNO_SUCCESS);
    expect(h.write(h.open('h', CREATE), 'c'.repeat(950))).toEqual([ERRNO_SUCCESS, 950]);
  });

  it('copies only the index at start-up and a file\'s bytes when it is first read', async () => {
    const big = new Uint8Array(8 << 20).fill(7);
    const h = await vfsHarness([
      { path: '/big1', type: 'file', data: big }, { path: '/big2', type: 'file', data: new Uint8Array(8 << 20).fill(9) }, file('/small', 'tiny'),
    ]);
    expect(h.configCopies.filter((c) => c[0] === 1)).toEqual([]);
    expect(h.vfsMemoryBytes()).toBeLessThan(1 << 20);
    expect(h.readText(h.open('small'))).toBe('tiny');
    expect(h.configCopies.filter((c) => c[0] === 1)).toEqual([[1, (16 << 20), 4]]);
    expect(h.vfsMemoryBytes()).toBeLessThan(1 << 20);
    const [err, got] = h.read(h.open('big2'), [16], 100n);
    expect(err).toBe(ERRNO_SUCCESS);
    expect([...got]).toEqual(new Array(16).fill(9));
    expect(h.vfsMemoryBytes()).toBeLessThan(10 << 20);
  });

  it('imports only box:app, box:config and box:clock, and calls none of them at instantiation', async () => {
    const module = new WebAssembly.Module(vfs.wasm() as Uint8Array<ArrayBuffer>);
    expect(new Set(WebAssembly.Module.imports(module).map((i) => i.module))).toEqual(new Set(['box:app', 'box:config', 'box:clock']));
    const calls: string[] = [];
    const trap = (name: string) => () => {
      calls.push(name);
      return 0;
    };
    const imports: Record<string, Record<string, () => number>> = {};
    for (const i of WebAssembly.Module.imports(module)) (imports[i.module] ??= {})[i.name] = trap(`${i.module}.${i.name}`);
    await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
    expect(calls).toEqual([]);
  });

  it('declares a support entry for every driver export', () => {
    const module = new WebAssembly.Module(vfs.wasm() as Uint8Array<ArrayBuffer>);
    const exported = WebAssembly.Module.exports(module).map((x) => x.name).filter((n) => /^(fd|path)_/.test(n));
    expect(Object.keys(vfs.support).sort()).toEqual(exported.sort());
    expect(vfs.provides).toEqual([]);
    expect(vfs.config!({ entrypoint: 'x', args: [], env: [], workdir: '/w' })).toHaveLength(2);
  });
});

describe('error precedence of link and rename (as Linux; found by conformance/difffuzz)', () => {
  it('link: the new name\'s EEXIST and ENOTDIR come before EPERM for a directory', async () => {
    const h = await vfsHarness([dir('/d'), file('/f', 'x')]);
    expect(h.link('d', 'f')).toBe(ERRNO_EXIST);
    expect(h.link('d', 'f/x')).toBe(ERRNO_NOTDIR);
    expect(h.link('d', 'new')).toBe(ERRNO_PERM);
    expect(h.link('missing', 'f')).toBe(ERRNO_NOENT);
  });

  it('rename onto an ancestor of the source is ENOTEMPTY, link to "missing/" ENOENT before EPERM', async () => {
    const h = await vfsHarness([dir('/c'), file('/c/b', 'x'), dir('/a/d')]);
    expect(h.rename('c/b', 'c')).toBe(ERRNO_NOTEMPTY);
    expect(h.link('a/d', 'new/')).toBe(ERRNO_NOENT);
  });

  it('rename: the new name\'s directory errors come before ENOENT for a missing old name', async () => {
    const h = await vfsHarness([file('/f', 'x')]);
    expect(h.rename('missing', 'f/x')).toBe(ERRNO_NOTDIR);
    expect(h.rename('missing', 'nodir/x')).toBe(ERRNO_NOENT);
    expect(h.rename('missing', 'g')).toBe(ERRNO_NOENT);
  });
});

describe('a trailing slash on the name a call creates or removes (as Linux; found by conformance/difffuzz)', () => {
  it('is not followed through a symlink, and a non-directory there is the call\'s own error', async () => {
    const h = await vfsHarness([file('/f', 'x'), symlink('/dangling', 'missing'), symlink('/ld', 'd'), dir('/d')]);
    expect(h.mkdir('f/')).toBe(ERRNO_EXIST);
    expect(h.mkdir('dangling/')).toBe(ERRNO_EXIST);
    expect(h.rmdir('dangling/')).toBe(ERRNO_NOTDIR);
    expect(h.rmdir('ld/')).toBe(ERRNO_NOTDIR);
    expect(h.unlink('f/')).toBe(ERRNO_NOTDIR);
    expect(h.unlink('dangling/')).toBe(ERRNO_NOTDIR);
    expect(h.link('f', 'dangling/')).toBe(ERRNO_EXIST);
    expect(h.symlink('t', 'f/')).toBe(ERRNO_EXIST);
    expect(h.rename('dangling/', 'x')).toBe(ERRNO_NOTDIR);
    // still there, and lookups that follow still follow
    expect((h.stat('ld/') as Stat).filetype).toBe(3);
    expect(h.unlink('dangling')).toBe(ERRNO_SUCCESS);
  });
});

describe('more Linux details found by conformance/difffuzz', () => {
  it('open("dir/", O_CREAT|O_EXCL) is EISDIR; a write of nothing on an append handle leaves the position', async () => {
    const h = await vfsHarness([dir('/d'), file('/f', '0123456789')]);
    expect(h.open('d/', { oflags: OFLAGS_CREAT | OFLAGS_EXCL })).toBe(-ERRNO_ISDIR);
    expect(h.symlink('missing', 'dangling')).toBe(ERRNO_SUCCESS);
    expect(h.open('dangling/', { oflags: OFLAGS_CREAT })).toBe(-ERRNO_ISDIR);
    expect(h.open('dangling/', { oflags: OFLAGS_CREAT, follow: true })).toBe(-ERRNO_ISDIR);
    expect(h.open('dangling', { oflags: OFLAGS_CREAT, follow: true })).toBeGreaterThanOrEqual(0); // creates the target
    expect(h.stat('missing')).toMatchObject({ size: 0n });
    expect(h.open('nodir/x/', { oflags: OFLAGS_CREAT })).toBe(-ERRNO_NOENT);
    const f = h.open('f', { rights: RIGHTS_FD_WRITE, fdflags: FDFLAGS_APPEND });
    expect(h.write(f, '')).toEqual([ERRNO_SUCCESS, 0]);
    expect(h.readText(f)).toBe('0123456789');
  });
});
