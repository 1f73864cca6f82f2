import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey, defaultCacheDir, LayerCache } from './cache.ts';

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => { rmSync(dir, { recursive: true, force: true }); }));
const scratchDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'layer-cache-'));
  scratch.push(dir);
  return dir;
};

describe('layer cache', () => {
  it('gives back exactly what it stored, nanosecond mtimes and hard links included', () => {
    const cache = new LayerCache(scratchDir());
    const shared = new TextEncoder().encode('same bytes');
    const layer = {
      entries: [
        { path: '/a', type: 'file' as const, data: shared, mode: 0o644, mtime: 1_700_000_000_123_456_789n },
        { path: '/b', type: 'file' as const, data: shared, mode: 0o600, mtime: 1n },
        { path: '/d', type: 'dir' as const, mode: 0o755, mtime: 0n },
        { path: '/d/l', type: 'symlink' as const, target: '../a', mode: 0o777, mtime: 0n },
        { path: '/e', type: 'file' as const, data: new Uint8Array(0), mode: 0o644, mtime: 0n },
      ],
      whiteouts: ['/gone'],
    };
    const key = cacheKey('parent', 'COPY a /a');
    expect(cache.get(key)).toBeUndefined();
    cache.put(key, layer);
    const back = cache.get(key)!;
    expect(back).toEqual(layer);
    expect(back.entries[0]!.data).toBe(back.entries[1]!.data);
  });

  it('keys differ with any part, and a damaged or unwritable cache costs only time', () => {
    expect(cacheKey('a', 'bc')).not.toBe(cacheKey('ab', 'c'));
    const dir = scratchDir();
    const cache = new LayerCache(dir);
    cache.put('k', { entries: [], whiteouts: [] });
    writeFileSync(join(dir, 'layers', 'k'), 'garbage');
    expect(cache.get('k')).toBeUndefined();
    const blocked = join(dir, 'file');
    writeFileSync(blocked, '');
    expect(() => new LayerCache(blocked).put('k', { entries: [], whiteouts: [] })).not.toThrow();
    expect(new LayerCache(undefined).get('k')).toBeUndefined();
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/marcotte');
    expect(defaultCacheDir({})).toMatch(/\.cache\/marcotte$/);
  });
});
