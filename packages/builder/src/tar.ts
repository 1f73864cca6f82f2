// ADD of a local archive: recognized by its bytes, decompressed (gzip) up
// to a size limit, checked so that nothing in it can land outside the
// directory it is unpacked into and that its files fit the limit, then read
// by the vfs's tar reader.

import { constants, gunzipSync } from 'node:zlib';
import type { ImageEntry } from '@marcotte/abi';
import { imageFromTar, tarMembers, tarNumber, tarString } from '@marcotte/vfs';
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
 * The most bytes one ADD unpacks from an archive (box build --max-unpack):
 * a box's image lives in its module, which engines refuse past 1 GiB (V8),
 * and the vfs's own quota for new files defaults to 256 MiB.
 */
export const DEFAULT_MAX_UNPACK = 256 * 1024 * 1024;

const tooBig = (limit: number) => `it unpacks to more than ${formatBytes(limit)}, the limit (box build --max-unpack raises it)`;

/**
 * Throws when an entry's name is absolute or climbs with `..`, lies under an
 * earlier symlink or file of the archive (`a -> /etc` then `a/passwd`: an
 * image has no place for it, and unpacking through the link is what this
 * refuses), or a link points out of the tree; or when its files' sizes add
 * up to more than `limit`, before any is copied (hard links share their
 * target's bytes and add nothing).
 */
export function checkTar(bytes: Uint8Array, limit: number): void {
  const notDirs = new Map<string, string>(); // path -> "symlink" | "file", as the archive last left it
  let total = 0;
  for (const { type, name, link, data } of tarMembers(bytes)) {
    if (type !== '1' && type !== '2' && type !== '5') {
      total += data.length;
      if (total > limit) throw new Error(tooBig(limit));
    }
    if (name.startsWith('/')) throw new Error(`tar entry has an absolute path: ${name}`);
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new Error(`tar entry escapes the archive root: ${name}`);
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
 * What a gzip file unpacks to, at most `limit` bytes (more is an error:
 * zlib stops there, so a gzip bomb costs no more than the limit).
 */
function gunzip(bytes: Uint8Array, limit: number): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: Math.max(1, limit) }));
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(tooBig(limit));
    throw new Error(`not a readable gzip file: ${(e as Error).message}`);
  }
}

/** Whether a gzip file holds a tar, from its first bytes (a 1 KiB prefix unpacks to at most about 1 MiB). */
function gzipHoldsTar(bytes: Uint8Array, limit: number): boolean {
  let head: Uint8Array;
  try {
    head = new Uint8Array(gunzipSync(bytes.subarray(0, 1024), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 2 * 1024 * 1024 }));
  } catch {
    head = new Uint8Array(0);
  }
  // A prefix too short to tell (a long gzip header): the whole file decides, within the limit.
  if (head.length < 512 && bytes.length > 1024) head = gunzip(bytes, limit);
  return archiveKind(head.subarray(0, 512)) === 'tar';
}

/**
 * The entries of a local archive, relative to "/" (the caller moves them
 * under the destination); undefined for a gzip file that holds no tar (ADD
 * copies it as it is, unpacked or not). `limit` bounds the bytes unpacked.
 */
export function readArchive(bytes: Uint8Array, kind: Exclude<ArchiveKind, undefined>, limit = DEFAULT_MAX_UNPACK): ImageEntry[] | undefined {
  if (kind === 'bzip2' || kind === 'xz' || kind === 'zstd') throw new Error(`${kind}-compressed archives are not supported (use an uncompressed or gzip tar)`);
  if (kind === 'gzip' && !gzipHoldsTar(bytes, limit)) return undefined;
  const tar = kind === 'gzip' ? gunzip(bytes, limit) : bytes;
  checkTar(tar, limit);
  return imageFromTar(tar);
}
