// The filesystem a build works on: image entries by absolute path, with
// every parent directory present. Layers are applied to it; RUN snapshots
// are diffed against it; the final box bakes it flattened.

import type { ImageEntry } from '@marcotte/abi';
import { cleanPath, joinPath, parentOf, resolveImagePath } from '@marcotte/vfs';

export { joinPath, parentOf };

/** One step's filesystem changes: entries added or replaced, and paths deleted (whiteouts). */
export interface Layer {
  entries: ImageEntry[];
  whiteouts: string[];
}

export const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Normalizes an absolute path as Docker does for WORKDIR and destinations ("/a/./b/../c/" -> "/a/c"); `..` stops at the root. */
export function normalize(path: string): string {
  return cleanPath(path, 'clamp');
}

/** `path` taken from `dir` when relative. */
export function resolveFrom(dir: string, path: string): string {
  return normalize(path.startsWith('/') ? path : `${dir}/${path}`);
}

const encoder = new TextEncoder();
function compareBytes(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

export class Tree {
  readonly nodes = new Map<string, ImageEntry>();
  /** mtime of directories the build creates itself (SOURCE_DATE_EPOCH, else 0) */
  readonly epoch: bigint;

  constructor(epoch: bigint, entries: readonly ImageEntry[] = []) {
    this.epoch = epoch;
    this.nodes.set('/', { path: '/', type: 'dir', mode: 0o755, mtime: epoch });
    for (const e of entries) this.put(e);
  }

  clone(): Tree {
    const t = new Tree(this.epoch);
    for (const [p, e] of this.nodes) t.nodes.set(p, e);
    return t;
  }

  get(path: string): ImageEntry | undefined {
    return this.nodes.get(path);
  }

  /** Creates missing parent directories of `path` (0755, the epoch), returning the ones created. */
  ensureParents(path: string): ImageEntry[] {
    const made: ImageEntry[] = [];
    const missing: string[] = [];
    for (let p = parentOf(path); !this.nodes.has(p); p = parentOf(p)) missing.push(p);
    for (const p of missing.reverse()) {
      const e: ImageEntry = { path: p, type: 'dir', mode: 0o755, mtime: this.epoch };
      this.nodes.set(p, e);
      made.push(e);
    }
    return made;
  }

  /** Removes `path` and everything below it. */
  remove(path: string): void {
    if (path === '/') {
      for (const p of [...this.nodes.keys()]) if (p !== '/') this.nodes.delete(p);
      return;
    }
    this.nodes.delete(path);
    const prefix = `${path}/`;
    for (const p of [...this.nodes.keys()]) if (p.startsWith(prefix)) this.nodes.delete(p);
  }

  /** Adds or replaces an entry; a non-directory replacing a directory takes its subtree away. */
  put(e: ImageEntry): void {
    const old = this.nodes.get(e.path);
    if (old && old.type === 'dir' && e.type !== 'dir') this.remove(e.path);
    this.ensureParents(e.path);
    this.nodes.set(e.path, e);
  }

  apply(layer: Layer): void {
    for (const w of layer.whiteouts) this.remove(w);
    for (const e of layer.entries) this.put(e);
  }

  /**
   * Follows symlinks (targets resolve from the image's own root, DESIGN.md
   * §4) to the path an entry really lives at; undefined when a step is missing.
   */
  resolve(path: string, followLast = true): string | undefined {
    // Not normalized first: "/link/.." is the parent of where the link leads, as in the vfs.
    const found = resolveImagePath((p) => this.nodes.get(p), path, { followLast });
    return 'path' in found ? found.path : undefined;
  }

  /** Every entry, sorted by path bytes (parents before children). */
  flatten(): ImageEntry[] {
    return [...this.nodes.values()].sort((a, b) => compareBytes(a.path, b.path));
  }
}

function sameEntry(a: ImageEntry, b: ImageEntry): boolean {
  if (a.type !== b.type || (a.mode ?? -1) !== (b.mode ?? -1) || a.mtime !== b.mtime) return false;
  if (a.type === 'symlink') return a.target === b.target;
  if (a.type === 'file') {
    const x = a.data ?? new Uint8Array(0);
    const y = b.data ?? new Uint8Array(0);
    return x.length === y.length && Buffer.compare(x, y) === 0;
  }
  return true;
}

/** What changed from `before` to `after`: the layer a RUN commits. */
export function diff(before: Tree, after: readonly ImageEntry[]): Layer {
  const seen = new Set<string>();
  const entries: ImageEntry[] = [];
  for (const e of after) {
    seen.add(e.path);
    const old = before.get(e.path);
    if (!old || !sameEntry(old, e)) entries.push(e);
  }
  const whiteouts: string[] = [];
  for (const p of before.nodes.keys()) {
    // Only the top of a deleted subtree needs a whiteout.
    if (!seen.has(p) && seen.has(parentOf(p))) whiteouts.push(p);
  }
  whiteouts.sort(compareBytes);
  entries.sort((a, b) => compareBytes(a.path, b.path));
  return { entries, whiteouts };
}

export { compareBytes };
