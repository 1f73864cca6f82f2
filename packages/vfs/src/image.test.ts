import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, chmodSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageEntry } from '@marcotte/abi';
import { ERRNO_SUCCESS, FILETYPE_SYMBOLIC_LINK, OFLAGS_DIRECTORY } from '@marcotte/abi';
import { IMAGE_MAGIC, encodeImage, imageFromTar } from './image.ts';
import { imageFromDirectory } from './image-dir.ts';
import { vfsHarness, type Stat } from '../test/harness.ts';

const text = (s: string) => new TextEncoder().encode(s);
const temp = mkdtempSync(join(tmpdir(), 'vfs-image-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A small tree: nested files, an absolute and a relative symlink, a hard link, an executable. */
function makeTree(root: string): void {
  mkdirSync(join(root, 'etc/alternatives'), { recursive: true });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'etc/alternatives/tool'), '#!tool\n');
  chmodSync(join(root, 'etc/alternatives/tool'), 0o755);
  symlinkSync('/etc/alternatives/tool', join(root, 'usr/bin/tool'));
  symlinkSync('../../etc/alternatives/tool', join(root, 'usr/bin/rel'));
  writeFileSync(join(root, 'usr/bin/b'), 'b');
  writeFileSync(join(root, 'usr/bin/a'), 'a');
  linkSync(join(root, 'usr/bin/a'), join(root, 'usr/bin/a-link'));
  writeFileSync(join(root, `${'long-name-'.repeat(12)}.txt`), 'long');
  utimesSync(join(root, 'usr/bin/b'), 1_600_000_000, 1_600_000_000);
}

async function checkTree(entries: ImageEntry[]): Promise<void> {
  const h = await vfsHarness(entries);
  expect(h.readText(h.open('usr/bin/tool'))).toBe('#!tool\n');
  expect(h.readText(h.open('usr/bin/rel'))).toBe('#!tool\n');
  expect(h.readlink('usr/bin/tool')).toEqual([ERRNO_SUCCESS, '/etc/alternatives/tool']);
  expect((h.stat('usr/bin/tool', false) as Stat).filetype).toBe(FILETYPE_SYMBOLIC_LINK);
  expect(h.readText(h.open('usr/bin/a-link'))).toBe('a');
  expect(h.readText(h.open(`${'long-name-'.repeat(12)}.txt`))).toBe('long');
  expect((h.stat('usr/bin/b') as Stat).mtim).toBe(1_600_000_000_000_000_000n);
  expect(h.list(h.open('usr/bin', { oflags: OFLAGS_DIRECTORY }))).toEqual(['.', '..', 'a', 'a-link', 'b', 'rel', 'tool']);
  expect(h.list(h.open('empty', { oflags: OFLAGS_DIRECTORY }))).toEqual(['.', '..']);
}

describe('encodeImage', () => {
  it('writes the header, the entries breadth first and the file bytes', () => {
    const data = text('shared');
    const [index, bytes] = encodeImage([
      { path: '/b', type: 'file', data }, { path: '/a/x', type: 'file', data }, { path: '/a/y', type: 'symlink', target: '../b' },
    ], { quota: 1234, buildTime: 99n, workdir: '/a' });
    const v = new DataView(index!.buffer);
    expect(v.getUint32(0, true)).toBe(IMAGE_MAGIC);
    expect(v.getUint32(8, true)).toBe(5); // "/", "/a", "/b", "/a/x", "/a/y"
    expect(v.getBigUint64(16, true)).toBe(1234n);
    expect(v.getBigUint64(24, true)).toBe(99n);
    expect(v.getUint32(64 + 12, true)).toBe(1); // root's children start at entry 1
    expect(v.getUint32(64 + 16, true)).toBe(2);
    expect(bytes).toEqual(data); // identical data objects are stored once
  });

  it('refuses bad paths, duplicates, non-directory parents and targetless symlinks', () => {
    expect(() => encodeImage([{ path: 'rel', type: 'dir' }])).toThrow(/absolute and normalized/);
    expect(() => encodeImage([{ path: '/a/../b', type: 'dir' }])).toThrow(/normalized/);
    expect(() => encodeImage([{ path: '/a/', type: 'dir' }])).toThrow(/normalized/);
    expect(() => encodeImage([{ path: '/a', type: 'dir' }, { path: '/a', type: 'dir' }])).toThrow(/twice/);
    expect(() => encodeImage([{ path: '/f', type: 'file' }, { path: '/f/x', type: 'file' }])).toThrow(/not a directory/);
    expect(() => encodeImage([{ path: '/l', type: 'symlink' }])).toThrow(/target/);
    expect(() => encodeImage([{ path: `/${'x'.repeat(256)}`, type: 'file' }])).toThrow(/longer than 255/);
    expect(() => encodeImage([{ path: '/f', type: 'file' }], { workdir: '/f' })).toThrow(/workdir/);
  });

  it('implies missing parents and the workdir', async () => {
    const h = await vfsHarness([{ path: '/deep/down/f', type: 'file', data: text('x') }], { workdir: '/srv/app' });
    expect(h.readText(h.open('deep/down/f'))).toBe('x');
    expect(h.preopens).toBe(1);
    expect(h.list(h.open('srv/app', { oflags: OFLAGS_DIRECTORY }))).toEqual(['.', '..']);
  });
});

describe('imageFromDirectory', () => {
  it('reads a host tree with symlinks, modes and mtimes, sorted by name', async () => {
    const root = join(temp, 'dir');
    mkdirSync(root);
    makeTree(root);
    const entries = imageFromDirectory(root);
    expect(entries[0]).toMatchObject({ path: '/', type: 'dir' });
    expect(entries.find((e) => e.path === '/usr/bin/tool')).toMatchObject({ type: 'symlink', target: '/etc/alternatives/tool' });
    expect(entries.find((e) => e.path === '/etc/alternatives/tool')!.mode).toBe(0o755);
    const bin = entries.filter((e) => e.path.startsWith('/usr/bin/')).map((e) => e.path);
    expect(bin).toEqual([...bin].sort());
    await checkTree(entries);
    expect(encodeImage(imageFromDirectory(root))).toEqual(encodeImage(entries)); // reproducible
  });
});

describe('imageFromTar', () => {
  for (const format of ['gnu', 'pax', 'ustar'] as const) {
    it(`reads a ${format} archive made by the system tar, hard links included`, async () => {
      const root = join(temp, `tar-${format}`);
      mkdirSync(root);
      makeTree(root);
      if (format === 'ustar') rmSync(join(root, `${'long-name-'.repeat(12)}.txt`)); // ustar names stop at 100 bytes
      const archive = join(temp, `${format}.tar`);
      execFileSync('tar', ['--format', format, '-cf', archive, '-C', root, '.']);
      const entries = imageFromTar(new Uint8Array(readFileSync(archive)));
      expect(entries.find((e) => e.path === '/usr/bin/rel')).toMatchObject({ type: 'symlink', target: '../../etc/alternatives/tool' });
      if (format !== 'ustar') await checkTree(entries);
      else {
        const h = await vfsHarness(entries);
        expect(h.readText(h.open('usr/bin/a-link'))).toBe('a');
      }
    });
  }

  it('refuses what an image cannot hold, and corrupt headers', () => {
    const root = join(temp, 'fifo');
    mkdirSync(root);
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const archive = join(temp, 'fifo.tar');
    execFileSync('tar', ['-cf', archive, '-C', root, '.']);
    const bytes = new Uint8Array(readFileSync(archive));
    expect(() => imageFromTar(bytes)).toThrow(/only files, directories, symlinks and hard links/);
    expect(() => imageFromDirectory(root)).toThrow(/only files, directories and symlinks/);
    bytes[0] = bytes[0]! ^ 1;
    expect(() => imageFromTar(bytes)).toThrow(/checksum/);
  });
});
