// Directories: names -> inodes, in insertion order, with a hash index.
//
// Each entry gets the next id of its directory when inserted; the id is its
// readdir cookie. Ids only grow, so a cookie never names a different entry
// later, and a readdir that resumes after changes neither repeats nor skips
// an entry that stayed. Entries stay sorted by id (appends only), so resuming
// is a binary search.
//
// Lookups go through an open-addressing table (linear probing, at most half
// full, backward-shift deletion so there are no tombstones) keyed by the
// name's bytes: path resolution compares the bytes it copied from the app
// with the stored names directly, so a lookup allocates nothing (a Map keyed
// by string needed a string per component, and the collector's work with it).

import { DirEntry, Inode } from "./inode";
import { ENTRY_SIZE, entry, E_B, image_populate } from "./image";
import { mem_guard } from "./limits";

/** Bytes a directory entry costs at most: DirEntry, name, index slots, array slot, doubling included. */
const ENTRY_COST: u64 = 256;
const MIN_SLOTS: i32 = 8;

/** FNV-1a over a byte string's bytes (one char per byte); resolve.ts computes the same while scanning a path. */
function string_hash(s: string): u32 {
  const p = changetype<usize>(s);
  const len = <usize>s.length;
  let h: u32 = 0x811c9dc5;
  for (let i: usize = 0; i < len; i++) h = (h ^ <u32>load<u8>(p + (i << 1))) * 0x01000193;
  return h;
}

/** True when byte string `s` holds exactly the `len` bytes at `ptr`. */
@inline function name_equals(s: string, ptr: usize, len: usize): bool {
  if (<usize>s.length != len) return false;
  const p = changetype<usize>(s);
  for (let i: usize = 0; i < len; i++) {
    if (load<u16>(p + (i << 1)) != <u16>load<u8>(ptr + i)) return false;
  }
  return true;
}

/** Copies the children of an image directory on first use; false when memory is too short (ENOMEM). */
export function dir_ready(d: Inode): bool {
  if (d.image >= 0) {
    const i = <u32>d.image;
    // Each child becomes an inode and an entry, and names are copied: check first.
    const n = <u64>load<u32>(entry(i) + E_B);
    if (!mem_guard(n * (ENTRY_COST + ENTRY_SIZE + 128))) return false;
    d.image = -1;
    image_populate(d, i);
  }
  return true;
}

/** True when one more entry fits in memory (its tables may double). */
export function dir_can_insert(d: Inode): bool {
  return mem_guard((<u64>d.entries!.length + 1) * ENTRY_COST);
}

/** Set when dir_find answered null because the directory could not be read (ENOMEM). */
export let dir_short: bool = false;

/** The entry named by the `len` bytes at `ptr` (`h`: their FNV-1a hash, as string_hash), or null (dir_short says whether memory was short). */
export function dir_find(d: Inode, ptr: usize, len: usize, h: u32): DirEntry | null {
  dir_short = !dir_ready(d);
  if (dir_short) return null;
  const slots = d.slots;
  if (slots == null) return null;
  const mask = slots.length - 1;
  let k = <i32>h & mask;
  while (true) {
    const e = unchecked(slots[k]);
    if (e == null) return null;
    if (e.hash == h && name_equals(e.name, ptr, len)) return e;
    k = (k + 1) & mask;
  }
  return null;
}

/** Puts `e` into the index (there is room: the table is at most half full). */
function index_put(slots: StaticArray<DirEntry | null>, e: DirEntry): void {
  const mask = slots.length - 1;
  let k = <i32>e.hash & mask;
  while (unchecked(slots[k]) != null) k = (k + 1) & mask;
  unchecked(slots[k] = e);
}

/** Makes room for one more entry in `d`'s index, doubling it when it would pass half full. */
function index_reserve(d: Inode): StaticArray<DirEntry | null> {
  const old = d.slots;
  const want = (d.entries!.length + 1) << 1;
  if (old != null && old.length >= want) return old;
  let cap = old != null ? old.length << 1 : MIN_SLOTS;
  while (cap < want) cap <<= 1;
  const slots = new StaticArray<DirEntry | null>(cap);
  const entries = d.entries!;
  for (let k = 0, n = entries.length; k < n; k++) index_put(slots, unchecked(entries[k]));
  d.slots = slots;
  return slots;
}

/** Adds `name` -> `child` (the caller checked the name is free, and dir_can_insert). */
export function dir_insert(d: Inode, name: string, child: Inode): void {
  const slots = index_reserve(d);
  const entry = new DirEntry(name, child, d.nextId++, string_hash(name));
  d.entries!.push(entry);
  index_put(slots, entry);
  child.nlink++;
  if (child.isDir) {
    child.parent = d;
    d.subdirs++;
  }
}

/** Takes `e` out of the index: the entries after it in its probe run move back, so no tombstone is left. */
function index_delete(slots: StaticArray<DirEntry | null>, e: DirEntry): void {
  const mask = slots.length - 1;
  let i = <i32>e.hash & mask;
  while (unchecked(slots[i]) != e) i = (i + 1) & mask;
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const next = unchecked(slots[j]);
    if (next == null) break;
    const home = <i32>next.hash & mask;
    // `next` may fill the hole at i only when its home slot is not in (i, j] (cyclically).
    const stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    unchecked(slots[i] = next);
    i = j;
  }
  unchecked(slots[i] = null);
}

/** Removes entry `entry` of `d` (it is there). The caller releases the inode when it should. */
export function dir_remove_entry(d: Inode, entry: DirEntry): Inode {
  index_delete(d.slots!, entry);
  const entries = d.entries!;
  const at = dir_first_after(d, entry.id - 1);
  entries.splice(at, 1);
  const child = entry.inode;
  child.nlink--;
  if (child.isDir) {
    child.parent = null;
    d.subdirs--;
  }
  return child;
}

/** Index of the first entry whose id is greater than `cookie`. */
export function dir_first_after(d: Inode, cookie: u64): i32 {
  const entries = d.entries!;
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (unchecked(entries[mid]).id <= cookie) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function dir_is_empty(d: Inode): bool {
  // An image directory not read yet has children (d.image is set only then).
  return d.image < 0 && d.entries!.length == 0;
}

/** True when `d` is `ancestor` or lies below it. */
export function dir_within(d: Inode, ancestor: Inode): bool {
  let at: Inode | null = d;
  while (at != null) {
    if (at == ancestor) return true;
    at = at.parent;
  }
  return false;
}
