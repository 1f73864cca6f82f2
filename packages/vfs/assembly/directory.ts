// Directories: names -> inodes, in insertion order.
//
// Each entry gets the next id of its directory when inserted; the id is its
// readdir cookie. Ids only grow, so a cookie never names a different entry
// later, and a readdir that resumes after changes neither repeats nor skips
// an entry that stayed. Entries stay sorted by id (appends only), so resuming
// is a binary search.

import { DirEntry, Inode } from "./inode";
import { ENTRY_SIZE, entry, E_B, image_populate } from "./image";
import { mem_guard } from "./limits";

/** Bytes a directory entry costs at most: DirEntry, name, map slot, array slot, doubling included. */
const ENTRY_COST: u64 = 256;

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

/** Set when dir_lookup answered null because the directory could not be read (ENOMEM). */
export let dir_short: bool = false;

export function dir_lookup(d: Inode, name: string): Inode | null {
  dir_short = !dir_ready(d);
  if (dir_short) return null;
  const map = d.byName!;
  return map.has(name) ? map.get(name).inode : null;
}

/** Adds `name` -> `child` (the caller checked the name is free, and dir_can_insert). */
export function dir_insert(d: Inode, name: string, child: Inode): void {
  const entry = new DirEntry(name, child, d.nextId++);
  d.entries!.push(entry);
  d.byName!.set(name, entry);
  child.nlink++;
  if (child.isDir) {
    child.parent = d;
    d.subdirs++;
  }
}

/** Removes `name` (it exists). The caller releases the inode when it should. */
export function dir_remove(d: Inode, name: string): Inode {
  const map = d.byName!;
  const entry = map.get(name);
  map.delete(name);
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
