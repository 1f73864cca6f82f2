// A snapshot (or any image entries) written out to a host directory (Node only).

import { chmodSync, linkSync, lutimesSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageEntry } from '@marcotte/abi';

/**
 * Writes the entries below the host directory `dir` (created when missing):
 * directories, files with their modes, symlinks as they are, hard links as
 * host hard links; mtimes last, children first, so that writing a child does
 * not change its directory's time afterwards.
 */
export function writeEntries(entries: readonly ImageEntry[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  const firstHost = new Map<Uint8Array, string>();
  for (const e of entries) {
    const parts = e.path.split('/').slice(1);
    if (e.path !== '/' && parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`not a normalized image path: ${e.path}`);
    const host = e.path === '/' ? dir : join(dir, ...parts);
    if (e.type === 'dir') {
      mkdirSync(host, { recursive: true });
      if (e.mode !== undefined) chmodSync(host, e.mode);
    } else if (e.type === 'symlink') {
      symlinkSync(e.target!, host);
    } else {
      const first = e.data ? firstHost.get(e.data) : undefined;
      if (first !== undefined) {
        linkSync(first, host);
        continue;
      }
      writeFileSync(host, e.data ?? new Uint8Array(0));
      if (e.mode !== undefined) chmodSync(host, e.mode);
      if (e.data) firstHost.set(e.data, host);
    }
  }
  for (const e of [...entries].reverse()) {
    if (e.mtime === undefined) continue;
    const host = e.path === '/' ? dir : join(dir, ...e.path.split('/').slice(1));
    const seconds = Number(e.mtime) / 1e9;
    if (e.type === 'symlink') lutimesSync(host, seconds, seconds);
    else utimesSync(host, seconds, seconds);
  }
}
