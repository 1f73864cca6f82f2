// fd_readdir on a host directory, as wasmtime answers it: "." and ".." first,
// then the host's entries in the host's order; an entry's cookie (d_next) is
// its position + 1, so "." → 1, ".." → 2, entries from 3, as the vfs numbers
// them. The names are read once, at cookie 0, and kept with the fd: a
// program that removes entries while it lists them still sees each of the
// others once (a removed one is left out), as on Linux and in the vfs. Entries are packed as 24-byte dirents, each followed by its name; the
// last one is cut at the end of the buffer (bufused == buf_len tells the
// program to ask again with a larger one).

import { lstatSync, type BigIntStats } from 'node:fs';
import { DIRENT_D_INO_OFFSET, DIRENT_D_NAMLEN_OFFSET, DIRENT_D_NEXT_OFFSET, DIRENT_D_TYPE_OFFSET, DIRENT_SIZE, FILETYPE_DIRECTORY } from '@marcotte/abi';
import type { GuestMemory } from './guest-memory.ts';
import { hostPath, type DirRef } from './host-resolve.ts';
import { filetypeOf } from './host-stat.ts';

interface Entry {
  name: Buffer;
  ino: bigint;
  type: number;
  /** its cookie: position + 1 */
  next: bigint;
}

/**
 * The listing of `dir` from position `cookie` on. `self` and `parent` give
 * the inodes of "." and ".." (a mount's root reports itself as its parent:
 * nothing above it is the box's).
 */
function* listing(dir: DirRef, names: Buffer[], cookie: bigint, self: BigIntStats, parent: BigIntStats): Generator<Entry> {
  if (cookie < 1n) yield { name: Buffer.from('.'), ino: self.ino, type: FILETYPE_DIRECTORY, next: 1n };
  if (cookie < 2n) yield { name: Buffer.from('..'), ino: parent.ino, type: FILETYPE_DIRECTORY, next: 2n };
  const skip = cookie > 2n ? cookie - 2n : 0n;
  for (let i = skip < BigInt(names.length) ? Number(skip) : names.length; i < names.length; i++) {
    const name = names[i]!;
    // An entry removed since the listing was read is left out, as if listed a moment later.
    const s = lstatSync(hostPath(dir, name), { bigint: true, throwIfNoEntry: false });
    if (s) yield { name, ino: s.ino, type: filetypeOf(s), next: BigInt(i) + 3n };
  }
}

/** Writes the entries from `cookie` on into the buffer; returns bufused. */
export function readdir(mem: GuestMemory, dir: DirRef, names: Buffer[], buf: number, bufLen: number, cookie: bigint, self: BigIntStats, parent: BigIntStats): number {
  const out = mem.bytes(buf, bufLen);
  let used = 0;
  for (const e of listing(dir, names, cookie, self, parent)) {
    if (used >= bufLen) break;
    const record = new Uint8Array(DIRENT_SIZE + e.name.length);
    const v = new DataView(record.buffer);
    v.setBigUint64(DIRENT_D_NEXT_OFFSET, e.next, true);
    v.setBigUint64(DIRENT_D_INO_OFFSET, e.ino, true);
    v.setUint32(DIRENT_D_NAMLEN_OFFSET, e.name.length, true);
    v.setUint8(DIRENT_D_TYPE_OFFSET, e.type);
    record.set(e.name, DIRENT_SIZE);
    const fits = Math.min(record.length, bufLen - used);
    out.set(record.subarray(0, fits), used);
    used += fits;
  }
  return used;
}
