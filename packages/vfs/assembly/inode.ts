// Inodes: what a name in a directory points to. One class for every node kind
// (regular file, directory, symlink); the open handle (position, fdflags)
// lives apart, in handles.ts, as in browser_wasi_shim's Fd/Inode split.
//
// Inodes and directories are unmanaged: the vfs frees them itself, the way a
// kernel does, when the last name and the last handle are gone (inode_release).
// Their lifetimes are exact (nlink, opens), and keeping them out of the
// collector's heap saves every create its header, its write barriers and its
// share of marking: a tree of a million files is not something to trace.
//
// Ownership: an inode lives while a directory entry names it (nlink > 0) or
// a handle holds it open (opens > 0). When both reach zero its bytes go back
// to fmem, its quota charge is released and its memory is freed.

import { FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SYMBOLIC_LINK } from "../../abi/assembly/constants";
import { clock_realtime } from "./config";
import { dir_free } from "./directory";
import { fmem_free } from "./fmem";
import { entry, E_SIZE } from "./image";
import { meta_charge } from "./limits";

/**
 * What the metadata quota (limits.ts: meta_allows) counts, about what each
 * costs in memory: a name is its bytes and META_NAME (its record and index
 * slots); an inode META_INODE, a directory's tables META_DIR more, and a
 * symlink its target's bytes.
 */
export const META_NAME: u64 = 32;
export const META_INODE: u64 = 80;
export const META_DIR: u64 = 96;

/** The metadata an inode of `filetype` with a symlink target of `target` bytes counts. */
export function meta_of(filetype: u8, target: u64): u64 {
  return META_INODE + (filetype == FILETYPE_DIRECTORY ? META_DIR : 0) + (filetype == FILETYPE_SYMBOLIC_LINK ? target : 0);
}

/** readdir cookies 1 and 2 belong to "." and ".."; real entries count from 3. */
export const FIRST_ENTRY_ID: u64 = 3;

/**
 * A directory's entries (directory.ts), apart from the inode so that a file's
 * inode stays small. Entry k has a record at `recs + k * REC_SIZE` (id: the
 * readdir cookie, unique in its directory, never reused; length and place of
 * the name's bytes in `names`; the inode); entries are in id order. A removed
 * entry stays in place as a tombstone (`dead` of them) until compaction.
 * Every buffer is the vfs's own (heap.alloc), freed with the directory.
 */
@unmanaged
export class Dir {
  /** entry places, tombstones included */
  count: i32 = 0;
  /** tombstones among the entries: removed, out of the index, skipped by readdir */
  dead: i32 = 0;
  /** records, REC_SIZE bytes each, room for `recsCap` */
  recs: usize = 0;
  recsCap: i32 = 0;
  /** the names' bytes; `namesUsed` of `namesCap` used, `namesDead` of those by removed entries */
  names: usize = 0;
  namesCap: u32 = 0;
  namesUsed: u32 = 0;
  namesDead: u32 = 0;
  /** hash index: u32 per slot (directory.ts), `slotsCap` of them (a power of two, or 0) */
  slots: usize = 0;
  slotsCap: i32 = 0;
  subdirs: u32 = 0;
  nextId: u64 = FIRST_ENTRY_ID;
  parent: Inode | null = null;
  /** bytes of this directory's name in its parent (dir_path_bytes adds them up) */
  nameLen: u32 = 0;
}

/**
 * Fields are ordered widest first so that an inode packs into 56 bytes: every
 * new file costs its inode in memory touched for the first time, which is
 * most of what a create costs on a host that charges for fresh pages. So a
 * directory's table shares the word of a file's bytes (a node is one or the
 * other), an image file's base size is read from its image entry rather than
 * kept, and the inode number is not stored (`ino`). The vfs hands inodes out
 * from slabs (inode_make), not one heap block each: no allocator header or
 * search per create, and freed inodes are reused first.
 */
@unmanaged
export class Inode {
  size: u64;
  atim: u64;
  mtim: u64;
  ctim: u64;
  /** directory entries naming this inode (a directory: 1 while its parent names it) */
  nlink: u32;
  /** open handles */
  opens: u32;
  /** a file: fmem block holding the bytes, and its capacity; a symlink: its target's bytes (owned when cap != 0); a directory: its Dir */
  data: usize;
  /** (fmem blocks stay below 4 GiB: memory does) */
  cap: u32;
  /** the image entry this node came from (the first name's, for a hard-linked file; 0 for the root of an empty image); -1 for a node of the writable layer */
  origin: i32;
  /** permission bits: recorded (image, snapshot), not enforced: preview1 has no modes */
  mode: u16;
  filetype: u8;
  /** the origin's bytes (file) or children (directory) are not copied yet */
  pending: bool;

  /** image entry whose bytes (file) or children (directory) are not copied yet; -1 when none (set -1 once copied) */
  @inline get image(): i32 { return this.pending ? this.origin : -1; }
  @inline set image(i: i32) {
    if (i >= 0) this.origin = i;
    this.pending = i >= 0;
  }

  /** bytes that came from the image (a box:config segment: < 4 GiB): not charged to the writable layer's quota */
  get baseSize(): u32 {
    return this.filetype == FILETYPE_REGULAR_FILE && this.origin >= 0 ? <u32>load<u64>(entry(<u32>this.origin) + E_SIZE) : 0;
  }

  /**
   * The inode number: image entry i's node is i + 1; a node of the writable
   * layer numbers after the image's, from its place in memory, which no other
   * live node shares. The number of a freed node comes back with the next node
   * made in its place, as file systems such as ext4 reuse inode numbers:
   * POSIX asks only that live files have distinct ones.
   */
  get ino(): u64 {
    return this.origin >= 0 ? <u64>this.origin + 1 : inoBase + (<u64>changetype<usize>(this) >> 3);
  }

  @inline get isDir(): bool { return this.filetype == FILETYPE_DIRECTORY; }
  @inline get isFile(): bool { return this.filetype == FILETYPE_REGULAR_FILE; }
  @inline get isSymlink(): bool { return this.filetype == FILETYPE_SYMBOLIC_LINK; }
}

const INODE_SIZE: usize = (offsetof<Inode>() + 7) & ~7;
const SLAB_INODES: usize = 64;
/** Freed inodes, linked through their first word; then the rest of the current slab. */
let freeInodes: usize = 0;
let slabNext: usize = 0;
let slabEnd: usize = 0;
let live: u64 = 0;

/** A new inode from image entry `origin` (-1: none; see Inode.ino), `filetype`, every timestamp `time`, the usual mode, no links. */
export function inode_make(origin: i32, filetype: u8, time: u64): Inode {
  let p = freeInodes;
  if (p != 0) {
    freeInodes = load<usize>(p);
  } else {
    if (slabNext == slabEnd) {
      slabNext = heap.alloc(SLAB_INODES * INODE_SIZE);
      slabEnd = slabNext + SLAB_INODES * INODE_SIZE;
    }
    p = slabNext;
    slabNext += INODE_SIZE;
  }
  live++;
  const i = changetype<Inode>(p);
  i.size = 0;
  i.atim = time;
  i.mtim = time;
  i.ctim = time;
  i.nlink = 0;
  i.opens = 0;
  i.data = filetype == FILETYPE_DIRECTORY ? changetype<usize>(new Dir()) : 0;
  i.cap = 0;
  i.origin = origin;
  i.pending = false;
  // What encodeImage gives entries without a mode, and what umask 022 leaves.
  i.mode = filetype == FILETYPE_DIRECTORY ? 0o755 : filetype == FILETYPE_SYMBOLIC_LINK ? 0o777 : 0o644;
  i.filetype = filetype;
  return i;
}

/** Numbers of the writable layer's nodes start above the image's (Inode.ino). */
let inoBase: u64 = 2;
/** Image build time: the time of new timestamps when no clock is linked. */
let fallbackTime: u64 = 0;
let quotaLimit: u64 = 0;
let quotaUsed: u64 = 0;

export function inode_setup(firstFreeIno: u64, buildTime: u64, quota: u64): void {
  inoBase = firstFreeIno;
  fallbackTime = buildTime;
  quotaLimit = quota;
}

/** Inodes in memory now: made and not yet released (a snapshot's bookkeeping grows with them). */
export function inode_live(): u64 {
  return live;
}

/** Current time for timestamps. */
export function now(): u64 {
  const t = clock_realtime();
  return t != 0 ? t : fallbackTime;
}

/** A new inode of the writable layer, made at time `t`. */
export function inode_new(filetype: u8, t: u64): Inode {
  return inode_make(-1, filetype, t);
}

/** Bytes of `size` that the quota pays for: what exceeds the image's own bytes. */
@inline function charge_of(i: Inode, size: u64): u64 {
  const base = <u64>i.baseSize;
  return size > base ? size - base : 0;
}

/** True when resizing `i` to `size` stays within the quota. */
export function quota_allows(i: Inode, size: u64): bool {
  return quotaUsed - charge_of(i, i.size) + charge_of(i, size) <= quotaLimit;
}

/** Records `i`'s new size in the quota (after quota_allows said yes). */
export function quota_resize(i: Inode, size: u64): void {
  quotaUsed = quotaUsed - charge_of(i, i.size) + charge_of(i, size);
}

/**
 * Frees an inode once nothing names it and nothing holds it open: a file's
 * bytes and quota charge, a symlink's target, a directory's tables, then the
 * inode itself. Callers touch `i` no more after this.
 */
export function inode_release(i: Inode): void {
  if (i.nlink != 0 || i.opens != 0) return;
  meta_charge(-<i64>meta_of(i.filetype, i.size));
  if (i.isFile) {
    quota_resize(i, 0);
    fmem_free(i.data, i.cap);
  } else if (i.isSymlink) {
    if (i.cap != 0) heap.free(i.data);
  } else {
    dir_free(changetype<Dir>(i.data));
  }
  store<usize>(changetype<usize>(i), freeInodes);
  freeInodes = changetype<usize>(i);
  live--;
}

/** Marks a change of `i`'s contents. */
export function touch_modified(i: Inode): void {
  set_modified(i, now());
}

/**
 * Marks a change of `i`'s contents at `t`: a call that changes several
 * inodes reads the clock once (with the clock capability linked, a read
 * is a call out to the host).
 */
export function set_modified(i: Inode, t: u64): void {
  i.mtim = t;
  i.ctim = t;
}
