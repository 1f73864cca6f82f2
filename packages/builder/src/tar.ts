// ADD of a local archive: recognized by its bytes, decompressed (gzip) up
// to what is left of the build's size limit, checked so that nothing in it
// can land outside the directory it is unpacked into, then read by the
// vfs's tar reader.

import { constants, gunzipSync } from 'node:zlib';
import type { ImageEntry } from '@marcotte/abi';
import { imageFromTar, pathComponents, tarMembers, tarNumber, tarString } from '@marcotte/vfs';
import { formatBytes } from './progress.ts';

function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  if (tarString(block, 257, 5) === 'ustar') return true;
  // Old v7 archives: only the checksum says it is one.
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === tarNumber(block, 148, 8) && sum !== 8 * 0x20;
}

export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | undefined;

/** What ADD makes of a file: an archive to unpack, or undefined for a plain file. */
export function archiveKind(bytes: Uint8Array): ArchiveKind {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68) return 'bzip2';
  if (bytes[0] === 0xfd && bytes[1] === 0x37 && bytes[2] === 0x7a && bytes[3] === 0x58) return 'xz';
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return 'zstd';
  return isTarHeader(bytes.subarray(0, 512)) ? 'tar' : undefined;
}

/**
 * The most bytes a build's ADDs unpack from archives, all together (the
 * tars' sizes, after gzip; box build --max-unpack): a box's image lives in
 * its module, which engines refuse past 1 GiB (V8), and the vfs's own quota
 * for new files defaults to 256 MiB.
 */
export const DEFAULT_MAX_UNPACK = 256 * 1024 * 1024;

/**
 * What the build's ADDs may still unpack. One budget for the whole build:
 * each archive's files stay in memory (and in the box), so a Dockerfile
 * repeating `ADD bomb.tar.gz` must not multiply the limit.
 */
export class UnpackBudget {
  readonly total: number;
  left: number;
  constructor(total: number) {
    this.total = total;
    this.left = total;
  }

  /** The one line an archive that needs more than is left gets. */
  exceeded(): Error {
    const what = this.left === this.total ? `${formatBytes(this.total)}, the limit` : `the ${formatBytes(this.left)} left of the build's ${formatBytes(this.total)} limit`;
    return new Error(`it unpacks to more than ${what} (box build --max-unpack raises it)`);
  }
}

/**
 * Throws when an entry's name is absolute or climbs with `..`, lies under an
 * earlier symlink or file of the archive (`a -> /etc` then `a/passwd`: an
 * image has no place for it, and unpacking through the link is what this
 * refuses), or a link points out of the tree. (Sizes need no check of their
 * own here: tarMembers refuses an entry whose header claims more bytes than
 * the archive holds before anything is copied, and the archive is within
 * the budget.)
 */
export function checkTarPaths(bytes: Uint8Array): void {
  const notDirs = new Map<string, string>(); // path -> "symlink" | "file", as the archive last left it
  for (const { type, name, link } of tarMembers(bytes)) {
    if (name.startsWith('/')) throw new Error(`tar entry has an absolute path: ${name}`);
    let parts: string[];
    try {
      parts = pathComponents(name, 'refuse');
    } catch {
      throw new Error(`tar entry escapes the archive root: ${name}`);
    }
    for (let n = 1; n < parts.length; n++) {
      const above = parts.slice(0, n).join('/');
      const what = notDirs.get(above);
      if (what) throw new Error(`tar entry ${name} lies under ${above}, which the archive made a ${what}`);
    }
    const path = parts.join('/');
    if (type === '5') notDirs.delete(path);
    else notDirs.set(path, type === '2' ? 'symlink' : 'file');
    if (type === '1') {
      if (link.startsWith('/') || link.split('/').includes('..')) throw new Error(`tar hard link ${name} points out of the archive: ${link}`);
    } else if (type === '2' && !link.startsWith('/')) {
      // A relative target resolves from the link's own directory; it must stay in the tree.
      let depth = parts.length - 1;
      for (const p of link.split('/')) {
        if (p === '..') depth--;
        else if (p !== '' && p !== '.') depth++;
        if (depth < 0) throw new Error(`tar symlink ${name} points out of the archive: ${link}`);
      }
    }
  }
}

/**
 * What a gzip file unpacks to, at most what is left of the budget (more is
 * an error: zlib stops there, so a gzip bomb costs no more than the limit).
 */
export function gunzip(bytes: Uint8Array, budget: UnpackBudget): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: Math.max(1, budget.left) }));
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw budget.exceeded();
    throw new Error(`not a readable gzip file: ${(e as Error).message}`);
  }
}

/** Whether a gzip file holds a tar, from its first bytes (a 1 KiB prefix unpacks to at most about 1 MiB). */
function gzipHoldsTar(bytes: Uint8Array, budget: UnpackBudget): boolean {
  let head: Uint8Array;
  try {
    head = new Uint8Array(gunzipSync(bytes.subarray(0, 1024), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 2 * 1024 * 1024 }));
  } catch {
    head = new Uint8Array(0);
  }
  // A prefix too short to tell (a long gzip header): the whole file decides, within the limit.
  if (head.length < 512 && bytes.length > 1024) head = gunzip(bytes, budget);
  return archiveKind(head.subarray(0, 512)) === 'tar';
}

/**
 * The entries of a local archive, relative to "/" (the caller moves them
 * under the destination); undefined for a gzip file that holds no tar (ADD
 * copies it as it is, unpacked or not). The tar's size (after gzip) is
 * taken from the budget.
 */
export function readArchive(bytes: Uint8Array, kind: Exclude<ArchiveKind, undefined>, budget = new UnpackBudget(DEFAULT_MAX_UNPACK)): ImageEntry[] | undefined {
  if (kind === 'bzip2' || kind === 'xz' || kind === 'zstd') throw new Error(`${kind}-compressed archives are not supported (use an uncompressed or gzip tar)`);
  if (kind === 'gzip' && !gzipHoldsTar(bytes, budget)) return undefined;
  const tar = kind === 'gzip' ? gunzip(bytes, budget) : bytes;
  // A plain tar is checked here; gunzip stopped at what is left.
  if (tar.length > budget.left) throw budget.exceeded();
  checkTarPaths(tar);
  const entries = imageFromTar(tar);
  budget.left -= tar.length;
  return entries;
}
