import { describe, expect, it } from 'vitest';
import { Tree } from './tree.ts';

describe('Tree.resolve', () => {
  const tree = new Tree(0n, [
    { path: '/a/b', type: 'dir' },
    { path: '/l', type: 'symlink', target: '/a/b' },
    { path: '/a/b/f', type: 'file', data: new Uint8Array(1) },
  ]);

  it('follows a symlink before taking ".." from where it led, as the vfs does', () => {
    // It used to clean "/l/.." to "/" as text first.
    expect(tree.resolve('/l/..')).toBe('/a');
    expect(tree.resolve('/l/../b/f')).toBe('/a/b/f');
  });

  it('names a missing last component and gives up on a missing directory', () => {
    expect(tree.resolve('/l/new')).toBe('/a/b/new');
    expect(tree.resolve('/missing/new')).toBeUndefined();
    expect(tree.resolve('/l', false)).toBe('/l');
  });
});
