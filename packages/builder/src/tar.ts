// ADD of a local archive: recognized by its bytes, decompressed (gzip),
// checked so that nothing in it can land outside the directory it is
// unpacked into, then read by the vfs's tar reader.

import { gunzipSync } from 'node:zlib';
import type { ImageEntry } from '@marcotte/abi';
import { imageFromTar, tarNumber, tarString } from '@marcotte/vfs';

const decoder = new TextDecoder();
const field = tarString;
const octal = tarNumber;

function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  if (field(block, 257, 5) === 'ustar') return true;
  // Old v7 archives: only the checksum says it is one.
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === octal(block, 148, 8) && sum !== 8 * 0x20;
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

/** Throws when an entry's name is absolute or climbs with `..`, or a link points out of the tree. */
export function checkTarPaths(bytes: Uint8Array): void {
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (let at = 0; at + 512 <= bytes.length; ) {
    const block = bytes.subarray(at, at + 512);
    if (block.every((b) => b === 0)) break;
    const type = String.fromCharCode(block[156]!);
    const size = pax.has('size') ? Number(pax.get('size')) : octal(block, 124, 12);
    const data = bytes.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      pax = new Map();
      const text = decoder.decode(data);
      for (const m of text.matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) pax.set(m[1]!, m[2]!);
      continue;
    }
    if (type === 'g') continue;
    if (type === 'L' || type === 'K') {
      const end = data.indexOf(0);
      const text = decoder.decode(end < 0 ? data : data.subarray(0, end));
      if (type === 'L') longName = text;
      else longLink = text;
      continue;
    }
    const prefix = field(block, 345, 155);
    const short = field(block, 0, 100);
    const name = pax.get('path') ?? longName ?? (field(block, 257, 5) === 'ustar' && prefix ? `${prefix}/${short}` : short);
    const link = pax.get('linkpath') ?? longLink ?? field(block, 157, 100);
    pax = new Map();
    longName = longLink = undefined;
    if (name.startsWith('/')) throw new Error(`tar entry has an absolute path: ${name}`);
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new Error(`tar entry escapes the archive root: ${name}`);
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
 * The entries of a local archive, relative to "/" (the caller moves them
 * under the destination); undefined for a gzip file that holds no tar (ADD copies it as it is).
 */
export function readArchive(bytes: Uint8Array, kind: Exclude<ArchiveKind, undefined>): ImageEntry[] | undefined {
  if (kind === 'bzip2' || kind === 'xz' || kind === 'zstd') throw new Error(`${kind}-compressed archives are not supported (use an uncompressed or gzip tar)`);
  const tar = kind === 'gzip' ? new Uint8Array(gunzipSync(bytes)) : bytes;
  if (kind === 'gzip' && archiveKind(tar) !== 'tar') return undefined;
  checkTarPaths(tar);
  return imageFromTar(tar);
}
