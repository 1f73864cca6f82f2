// The build cache: content-addressed layers under $XDG_CACHE_HOME/marcotte
// (or ~/.cache/marcotte). A step's key hashes its parent's key, the
// instruction after substitution, the build state it depends on and the
// hashes of the context files it reads; the value is the layer it made.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { decodeLayer, encodeLayer } from './layer.ts';
import type { Layer } from './tree.ts';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'marcotte');
}

export function cacheKey(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex');
}

export class LayerCache {
  private readonly dir: string | undefined;

  /** `dir` undefined: nothing is read or stored (--no-cache). */
  constructor(dir: string | undefined) {
    this.dir = dir === undefined ? undefined : join(dir, 'layers');
  }

  get(key: string): Layer | undefined {
    if (!this.dir) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(this.dir, key)));
    } catch {
      return undefined;
    }
    try {
      return decodeLayer(bytes);
    } catch {
      return undefined; // a damaged entry is rebuilt
    }
  }

  /** Stores a layer; a cache that cannot be written (read-only home, full disk) only costs the next build time. */
  put(key: string, layer: Layer): void {
    if (!this.dir) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      // Written aside and renamed, so a concurrent build never reads half an entry.
      const tmp = join(this.dir, `${key}.${process.pid}.tmp`);
      writeFileSync(tmp, encodeLayer(layer));
      renameSync(tmp, join(this.dir, key));
    } catch {
      // not cached, nothing else lost
    }
  }
}
