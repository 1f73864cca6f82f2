import { ERRNO_LOOP, ERRNO_NOENT, ERRNO_NOTDIR, type ImageEntry } from '@marcotte/abi';
import { describe, expect, it } from 'vitest';
import { dir, file, symlink, vfsHarness } from '../test/harness.ts';
import { cleanPath, PathClimbsError, pathComponents, resolveImagePath } from './image-path.ts';

describe('cleanPath', () => {
  it.each([
    ['./a//b/', 'refuse', '/a/b'],
    ['/a/./b/../c/', 'clamp', '/a/c'],
    ['/../../x', 'clamp', '/x'],
    ['', 'clamp', '/'],
  ] as const)('%s (%s) is %s', (path, policy, clean) => {
    expect(cleanPath(path, policy)).toBe(clean);
  });

  it('refuses ".." anywhere under "refuse", and above the root under "contain"', () => {
    expect(() => cleanPath('a/../b', 'refuse')).toThrow(PathClimbsError);
    expect(pathComponents('a/../b', 'contain')).toEqual(['b']);
    expect(() => pathComponents('a/../../b', 'contain')).toThrow(PathClimbsError);
    expect(pathComponents('a/../b', 'keep')).toEqual(['a', '..', 'b']);
  });
});

// The image every case below looks paths up in, and the vfs the answers are checked against.
const image: ImageEntry[] = [
  dir('/'), dir('/a'), dir('/a/b'), file('/a/b/f', 'f in b'), file('/top', 'top file!'),
  symlink('/l', '/a/b'), symlink('/r', 'a/b'), symlink('/a/up', '..'), symlink('/a/b/dd', '../../a'),
  symlink('/a/fl', '/a/b/f'), symlink('/loop1', '/loop2'), symlink('/loop2', '/loop1'), symlink('/dangling', '/nowhere'),
];

describe('resolveImagePath', () => {
  const byPath = new Map(image.map((e) => [e.path, e]));
  const lookup = (p: string) => byPath.get(p);

  it('takes ".." from the directory a symlink led to, not from the text', () => {
    expect(resolveImagePath(lookup, '/l/..')).toMatchObject({ path: '/a' });
    expect(resolveImagePath(lookup, '/l/../b/f')).toMatchObject({ path: '/a/b/f' });
  });

  it('names where a missing last component would be, and says why a lookup fails', () => {
    expect(resolveImagePath(lookup, '/a/b/new')).toEqual({ path: '/a/b/new', entry: undefined });
    expect(resolveImagePath(lookup, '/nope/x')).toEqual({ error: 'ENOENT' });
    expect(resolveImagePath(lookup, '/top/x')).toEqual({ error: 'ENOTDIR' });
    expect(resolveImagePath(lookup, '/loop1')).toEqual({ error: 'ELOOP' });
    expect(resolveImagePath(lookup, 'f', { cwd: '/l' })).toMatchObject({ path: '/a/b/f' });
    expect(resolveImagePath(lookup, '/l', { followLast: false })).toMatchObject({ path: '/l', entry: { type: 'symlink' } });
  });

  // Each path, as the vfs answers path_filestat_get with SYMLINK_FOLLOW, and as resolveImagePath does.
  const paths = [
    'l/..', 'l/f', 'r/../b/f', 'a/up/a/b/f', 'a/up/top', 'a/b/dd/b/f', 'a/b/dd/up/l/..', 'a/fl', 'a/fl/x', 'l/../b/dd/fl',
    'loop1', 'loop1/x', 'dangling', 'nope', 'top/x', 'a/b/../../top', 'r/dd/b/../..',
  ];
  it.each(paths)('%s resolves as in the vfs', async (path) => {
    const h = await vfsHarness(image);
    const vfs = h.stat(path);
    const ours = resolveImagePath(lookup, `/${path}`);
    if (typeof vfs === 'number') {
      const errno = 'error' in ours ? { ENOENT: ERRNO_NOENT, ENOTDIR: ERRNO_NOTDIR, ELOOP: ERRNO_LOOP }[ours.error] : ours.entry ? 0 : ERRNO_NOENT;
      expect(errno).toBe(vfs);
    } else {
      expect('entry' in ours && ours.entry).toBeTruthy();
      const entry = (ours as { entry: ImageEntry }).entry;
      expect({ dir: 3, file: 4, symlink: 7 }[entry.type]).toBe(vfs.filetype);
      if (entry.type === 'file') expect(BigInt(entry.data!.length)).toBe(vfs.size);
    }
  });
});
