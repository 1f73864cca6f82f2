// Directories: names -> inodes, in insertion order.
//
// Each entry gets the next id of its directory when inserted; the id is its
// readdir cookie. Ids only grow, so a cookie never names a different entry
// later, and a readdir that resumes after changes neither repeats nor skips
// an entry that stayed. Entries stay sorted by id (appends only), so resuming
// is a binary search.

import { DirEntry, Inode } from "./inode";
import { image_populate } from "./image";

/** Copies the children of an image directory on first use. */
export function dir_ready(d: Inode): void {
  if (d.image >= 0) {
    const entry = d.image;
    d.image = -1;
    image_populate(d, entry);
  }
}

export function dir_lookup(d: Inode, name: string): Inode | null {
  dir_ready(d);
  const map = d.byName!;
  return map.has(name) ? map.get(name).inode : null;
}

/** Adds `name` -> `child` (the caller checked the name is free). */
export function dir_insert(d: Inode, name: string, child: Inode): void {
  dir_ready(d);
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
  dir_ready(d);
  return d.entries!.length == 0;
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
