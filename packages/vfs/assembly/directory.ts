// Directories: names -> inodes, in insertion order, with a hash index.
//
// Each entry gets the next id of its directory when inserted; the id is its
// readdir cookie. Ids only grow, so a cookie never names a different entry
// later, and a readdir that resumes after changes neither repeats nor skips
// an entry that stayed. Entries stay sorted by id (appends only), so resuming
// is a binary search.
//
// Lookups go through an open-addressing table (linear probing, at most two
// thirds full, backward-shift deletion so there are no tombstones) keyed by the
// name's bytes: path resolution compares the bytes it copied from the app
// with the stored names directly, so a lookup allocates nothing (a Map keyed
// by string needed a string per component, and the collector's work with it).
// A slot holds the entry's index and the top byte of its name's hash: a probe
// reads an entry's record (a cache miss in a big directory) only when that
// byte matches, so looking up a name that is not there (every create) mostly
// touches one cache line of slots. Two thirds rather than half: the table
// is memory every new name touches, and with the tag a probe is one u32 in
// a line already read (FNV-1a over names like f0000..f9999 averages 2.5
// probes at up to 2/3 full, 1.7 at up to 1/2; the tables are a quarter
// smaller on average, half as large at some sizes, such as 10,000 names).

import { Dir, Inode } from "./inode";
import { FILETYPE_DIRECTORY } from "../../abi/assembly/constants";
import { ENTRY_SIZE, entry, E_A, E_B, E_NAME_LEN, E_TYPE, image_count, image_populate } from "./image";
import { max_path, mem_guard } from "./limits";

/** Bytes a directory entry costs at most: record, name, index slots, array slot, doubling included. */
const ENTRY_COST: u64 = 256;
/** Beside the tables, an insert may take a new inode slab (inode.ts: 64 inodes) and a new directory's Dir. */
const NODE_COST: u64 = 8 << 10;
const MIN_SLOTS: i32 = 8;
/** Slot = hash tag (top byte) | 1 + entry index (low 24 bits); 0 is an empty slot. */
const TAG: u32 = 0xff00_0000;
const INDEX: u32 = 0x00ff_ffff;
/** Entry places a directory can have (tombstones included): what a slot can index. */
const MAX_PLACES: i32 = <i32>INDEX - 1;

/**
 * Entry record, 16 bytes: id << 8 | name length (u64; a name has at most 255
 * bytes), name offset u32 (in Dir.names), the inode (0: a tombstone). Every
 * entry of a directory costs its record in fresh memory, so the name's hash
 * is not kept: the slot's tag answers most probes, and the few passes that
 * need a home slot again (growing, compacting, deleting) hash the name.
 */
const REC_SIZE: usize = 16;
const R_ID_LEN: usize = 0;
const R_OFF: usize = 8;
const R_INODE: usize = 12;
/** Ids stop short of 2^56, so that an id and a length share one word; a directory reaching it takes no new names (ENOSPC). */
const MAX_ID: u64 = (<u64>1 << 56) - 1;

@inline function rec_len(r: usize): u32 {
  return <u32>load<u8>(r + R_ID_LEN);
}

function rec_hash(x: Dir, r: usize): u32 {
  return bytes_hash(x.names + <usize>load<u32>(r + R_OFF), <usize>rec_len(r));
}

/** FNV-1a over `len` bytes at `p`; resolve.ts computes the same while scanning a path. */
export function bytes_hash(p: usize, len: usize): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: usize = 0; i < len; i++) h = (h ^ <u32>load<u8>(p + i)) * 0x01000193;
  return h;
}

@inline function rec(d: Dir, k: i32): usize {
  return d.recs + <usize>k * REC_SIZE;
}

/** The directory part of directory inode `d`. */
@inline export function dir_of(d: Inode): Dir {
  return changetype<Dir>(d.data);
}

/** Number of entry places of `d`, tombstones included (iterate with dir_live_at). */
@inline export function dir_count(d: Inode): i32 {
  return dir_of(d).count;
}

/** False for a removed entry's tombstone. */
@inline export function dir_live_at(d: Inode, k: i32): bool {
  return load<u32>(rec(dir_of(d), k) + R_INODE) != 0;
}

/** Entry `k`'s inode, id, name bytes (pointer valid until the directory changes) and length. */
@inline export function dir_inode_at(d: Inode, k: i32): Inode {
  return changetype<Inode>(<usize>load<u32>(rec(dir_of(d), k) + R_INODE));
}
@inline export function dir_id_at(d: Inode, k: i32): u64 {
  return load<u64>(rec(dir_of(d), k) + R_ID_LEN) >> 8;
}
@inline export function dir_name_at(d: Inode, k: i32): usize {
  const x = dir_of(d);
  return x.names + <usize>load<u32>(rec(x, k) + R_OFF);
}
@inline export function dir_name_len_at(d: Inode, k: i32): u32 {
  return rec_len(rec(dir_of(d), k));
}
/** The parent directory of directory `d` (null for the root and a removed directory). */
@inline export function dir_parent(d: Inode): Inode | null {
  return dir_of(d).parent;
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

/**
 * True when one more entry, with a name of `nameLen` bytes, fits in memory
 * (what reserve would allocate for it, and a new inode's slab or
 * directory) and in the index; a directory whose places are all used drops
 * its tombstones first.
 */
export function dir_can_insert(d: Inode, nameLen: u32): bool {
  const x = dir_of(d);
  if (x.nextId > MAX_ID) return false;
  if (x.count >= MAX_PLACES) {
    if (x.dead == 0) return false;
    compact(x);
  }
  return mem_guard(reserve_need(x, x.count, nameLen) + NODE_COST);
}

/** Set when dir_find answered null because the directory could not be read (ENOMEM). */
export let dir_short: bool = false;
/** The id of the entry dir_find found. */
export let dir_found_id: u64 = 0;

/** The inode named by the `len` bytes at `ptr` (`h`: their FNV-1a hash), or null (dir_short says whether memory was short); dir_found_id is its entry's id. */
export function dir_find(d: Inode, ptr: usize, len: usize, h: u32): Inode | null {
  dir_short = !dir_ready(d);
  if (dir_short) return null;
  const x = dir_of(d);
  const slots = x.slots;
  const mask = x.slotsCap - 1;
  if (mask < 0) return null;
  const names = x.names;
  const recs = x.recs;
  let k = <i32>h & mask;
  while (true) {
    const v = load<u32>(slots + (<usize>k << 2));
    if (v == 0) return null;
    if (((v ^ h) & TAG) == 0) {
      const r = recs + <usize>((v & INDEX) - 1) * REC_SIZE;
      const idLen = load<u64>(r + R_ID_LEN);
      if (<usize>(<u32>idLen & 0xff) == len && bytes_equal(names + <usize>load<u32>(r + R_OFF), ptr, len)) {
        dir_found_id = idLen >> 8;
        return changetype<Inode>(<usize>load<u32>(r + R_INODE));
      }
    }
    k = (k + 1) & mask;
  }
}

/** memory.copy for a name: most are short, and V8 calls out of compiled code for a memory.copy. */
@inline function copy_name(dst: usize, src: usize, len: usize): void {
  if (len > 32) {
    memory.copy(dst, src, len);
    return;
  }
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) store<u64>(dst + i, load<u64>(src + i));
  for (; i < len; i++) store<u8>(dst + i, load<u8>(src + i));
}

@inline function bytes_equal(a: usize, b: usize, len: usize): bool {
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) {
    if (load<u32>(a + i) != load<u32>(b + i)) return false;
  }
  for (; i < len; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}

/** Puts entry `e` (hash `h`) into the index (there is room: the table is at most two thirds full). */
@inline function index_put(slots: usize, mask: i32, h: u32, e: i32): void {
  let k = <i32>h & mask;
  while (load<u32>(slots + (<usize>k << 2)) != 0) k = (k + 1) & mask;
  store<u32>(slots + (<usize>k << 2), (h & TAG) | <u32>(e + 1));
}

/** Bytes reserve(x, n, nameLen) allocates: the tables that must grow, at their new sizes (the same steps). */
function reserve_need(x: Dir, n: i32, nameLen: u32): u64 {
  let need: u64 = 0;
  const want = (n + 1) + ((n + 1) >> 1);
  if (x.slotsCap < want) {
    let c = x.slotsCap != 0 ? x.slotsCap << 1 : MIN_SLOTS;
    while (c < want) c <<= 1;
    need += <u64>c << 2;
  }
  if (n + 1 > x.recsCap) need += <u64>(x.recsCap != 0 ? x.recsCap << 1 : 8) * REC_SIZE;
  if (x.namesUsed + nameLen > x.namesCap) {
    let c: u64 = x.namesCap != 0 ? <u64>x.namesCap << 1 : 64;
    while (c < <u64>x.namesUsed + nameLen) c <<= 1;
    need += c;
  }
  return need;
}

/** Makes room for one more entry in `x`'s index and records, growing them geometrically. */
function reserve(x: Dir, n: i32, nameLen: u32): void {
  const want = (n + 1) + ((n + 1) >> 1);
  const cap = x.slotsCap;
  if (cap < want) {
    let c = cap != 0 ? cap << 1 : MIN_SLOTS;
    while (c < want) c <<= 1;
    const slots = heap.alloc(<usize>c << 2);
    memory.fill(slots, 0, <usize>c << 2);
    const recs = x.recs;
    for (let k = 0; k < n; k++) {
      const r = recs + <usize>k * REC_SIZE;
      // A tombstone stays out of the index.
      if (load<u32>(r + R_INODE) != 0) index_put(slots, c - 1, rec_hash(x, r), k);
    }
    if (x.slots != 0) heap.free(x.slots);
    x.slots = slots;
    x.slotsCap = c;
  }
  if (n + 1 > x.recsCap) {
    const c = x.recsCap != 0 ? x.recsCap << 1 : 8;
    x.recs = x.recs != 0 ? heap.realloc(x.recs, <usize>c * REC_SIZE) : heap.alloc(<usize>c * REC_SIZE);
    x.recsCap = c;
  }
  if (x.namesUsed + nameLen > x.namesCap) {
    let c = x.namesCap != 0 ? x.namesCap << 1 : 64;
    while (c < x.namesUsed + nameLen) c <<= 1;
    x.names = x.names != 0 ? heap.realloc(x.names, <usize>c) : heap.alloc(<usize>c);
    x.namesCap = c;
  }
}

/**
 * Bumped by every removal of a directory entry (a rename removes one):
 * path resolution's caches (resolve.ts) hold only while it stays the same.
 * Adding a name changes what no existing path resolves to, so inserts leave
 * it alone (the caches keep only lookups that found what they named).
 */
export let dir_removals: u32 = 0;

/** Adds the `len` bytes at `ptr` (hash `h`: bytes_hash) -> `child` (the caller checked the name is free, and dir_can_insert). */
export function dir_insert(d: Inode, ptr: usize, len: u32, h: u32, child: Inode): void {
  const x = dir_of(d);
  const n = x.count;
  reserve(x, n, len);
  const r = rec(x, n);
  store<u64>(r + R_ID_LEN, (x.nextId++ << 8) | <u64>len);
  store<u32>(r + R_OFF, x.namesUsed);
  store<u32>(r + R_INODE, <u32>changetype<usize>(child));
  copy_name(x.names + <usize>x.namesUsed, ptr, <usize>len);
  x.namesUsed += len;
  x.count = n + 1;
  index_put(x.slots, x.slotsCap - 1, h, n);
  child.nlink++;
  if (child.isDir) {
    dir_of(child).parent = d;
    dir_of(child).nameLen = len;
    x.subdirs++;
  }
}

/** Takes entry `e` out of the index: the entries after it in its probe run move back, so no tombstone is left. */
function index_delete(x: Dir, e: i32): void {
  const slots = x.slots;
  const recs = x.recs;
  const mask = x.slotsCap - 1;
  let i = <i32>rec_hash(x, recs + <usize>e * REC_SIZE) & mask;
  while ((load<u32>(slots + (<usize>i << 2)) & INDEX) != <u32>(e + 1)) i = (i + 1) & mask;
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const next = load<u32>(slots + (<usize>j << 2));
    if (next == 0) break;
    const home = <i32>rec_hash(x, recs + <usize>((next & INDEX) - 1) * REC_SIZE) & mask;
    // `next` may fill the hole at i only when its home slot is not in (i, j] (cyclically).
    const stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    store<u32>(slots + (<usize>i << 2), next);
    i = j;
  }
  store<u32>(slots + (<usize>i << 2), 0);
}

/**
 * Removes the entry with id `id` from `d` (it is there). The caller releases the inode when it should.
 * The entry becomes a tombstone, so a removal costs a probe, not a pass over the directory;
 * once tombstones outnumber the live entries the directory is compacted.
 */
export function dir_remove_entry(d: Inode, id: u64): Inode {
  dir_removals++;
  const x = dir_of(d);
  const e = dir_first_after(d, id - 1);
  index_delete(x, e);
  const r = rec(x, e);
  x.namesDead += rec_len(r);
  const child = changetype<Inode>(<usize>load<u32>(r + R_INODE));
  store<u32>(r + R_INODE, 0);
  x.dead++;
  if (x.dead == x.count && x.recsCap > 64) drop_tables(x);
  else if (x.dead > 16 && x.dead > x.count - x.dead) compact(x);
  child.nlink--;
  if (child.isDir) {
    dir_of(child).parent = null;
    x.subdirs--;
  }
  return child;
}

/** Drops the tombstones and the removed names' bytes, and rebuilds the index. */
function compact(x: Dir): void {
  const n = x.count;
  const live = n - x.dead;
  const recs = x.recs;
  const namesCap = max<u32>(64, x.namesUsed - x.namesDead);
  const from = x.names;
  const to = heap.alloc(<usize>namesCap);
  let at: u32 = 0;
  let k = 0;
  for (let e = 0; e < n; e++) {
    const r = recs + <usize>e * REC_SIZE;
    if (load<u32>(r + R_INODE) == 0) continue;
    const len = rec_len(r);
    memory.copy(to + <usize>at, from + <usize>load<u32>(r + R_OFF), <usize>len);
    store<u32>(r + R_OFF, at);
    at += len;
    // Records move down in place: k <= e.
    if (k != e) memory.copy(recs + <usize>k * REC_SIZE, r, REC_SIZE);
    k++;
  }
  heap.free(from);
  x.names = to;
  x.namesCap = namesCap;
  x.namesUsed = at;
  x.namesDead = 0;
  x.count = live;
  x.dead = 0;
  const slots = x.slots;
  const mask = x.slotsCap - 1;
  memory.fill(slots, 0, <usize>x.slotsCap << 2);
  for (let e = 0; e < live; e++) index_put(slots, mask, rec_hash(x, recs + <usize>e * REC_SIZE), e);
}

/**
 * An emptied directory that held many names gives its tables back (ids go
 * on from nextId; small tables stay, for the create-delete cycles of a
 * temporary file): the metadata quota counts live names, so tables sized
 * for names long gone must not stay behind in every directory that once
 * held many.
 */
function drop_tables(x: Dir): void {
  if (x.recs != 0) heap.free(x.recs);
  if (x.names != 0) heap.free(x.names);
  if (x.slots != 0) heap.free(x.slots);
  x.recs = 0;
  x.recsCap = 0;
  x.names = 0;
  x.namesCap = 0;
  x.namesUsed = 0;
  x.namesDead = 0;
  x.slots = 0;
  x.slotsCap = 0;
  x.count = 0;
  x.dead = 0;
}

/** Frees what `reserve` and `compact` allocated for a directory, and the Dir itself (inode_release). */
export function dir_free(x: Dir): void {
  if (x.recs != 0) heap.free(x.recs);
  if (x.names != 0) heap.free(x.names);
  if (x.slots != 0) heap.free(x.slots);
  heap.free(changetype<usize>(x));
}

/** Index of the first entry whose id is greater than `cookie`. */
export function dir_first_after(d: Inode, cookie: u64): i32 {
  const x = dir_of(d);
  const recs = x.recs;
  let lo = 0;
  let hi = x.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((load<u64>(recs + <usize>mid * REC_SIZE + R_ID_LEN) >> 8) <= cookie) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function dir_is_empty(d: Inode): bool {
  // An image directory not read yet has children (d.image is set only then).
  return d.image < 0 && dir_count(d) == dir_of(d).dead;
}

/** True when `d` is `ancestor` or lies below it. */
export function dir_within(d: Inode, ancestor: Inode): bool {
  let at: Inode | null = d;
  while (at != null) {
    if (at == ancestor) return true;
    at = dir_of(at).parent;
  }
  return false;
}

// Every node's absolute path stays shorter than max path (4096 bytes by
// default, Linux's PATH_MAX): a call could not name a deeper node from the
// root, and the tools that read a snapshot (tar, box build's FROM, box run -w)
// handle every entry by its absolute path, so a tree nested 200,000 deep
// would cost them time and memory quadratic in its depth. Creating a name
// (or moving a directory) that would break this answers ENAMETOOLONG.

/** Bytes of directory `d`'s absolute path as a prefix ("/a/b": 4; the root: 0); stops counting once at `limit`. */
export function dir_path_bytes(d: Inode, limit: u64): u64 {
  let n: u64 = 0;
  let at = d;
  while (n < limit) {
    const x = dir_of(at);
    const up = x.parent;
    if (up == null) break;
    n += <u64>x.nameLen + 1;
    at = up;
  }
  return n;
}

/** True when a name of `len` bytes in directory `d` has an absolute path shorter than max path. */
export function dir_name_fits(d: Inode, len: u32): bool {
  return dir_path_bytes(d, max_path) + 1 + <u64>len < <u64>max_path;
}

/**
 * True when every path below directory `d`, relative to it ("/name" per
 * level), is shorter than `room` bytes. Image directories not read yet are
 * walked in the image index. Iterative: a forged image may nest deeper than
 * the call stack goes (the walk itself stops `room` bytes down).
 */
export function dir_subtree_fits(d: Inode, room: i64): bool {
  // Frames of three: a live directory (its inode) or an image entry (-1 - index), the next child, the room left.
  const stack = new Array<i64>();
  push_frame(stack, d, room);
  while (stack.length > 0) {
    const n = stack.length;
    const ref = unchecked(stack[n - 3]);
    const k = <i32>unchecked(stack[n - 2]);
    const left = unchecked(stack[n - 1]);
    unchecked(stack[n - 2] = k + 1);
    if (ref >= 0) {
      const dir = changetype<Inode>(<usize>ref);
      if (k >= dir_count(dir)) {
        stack.length = n - 3;
        continue;
      }
      if (!dir_live_at(dir, k)) continue;
      const r = left - 1 - <i64>dir_name_len_at(dir, k);
      if (r <= 0) return false;
      const c = dir_inode_at(dir, k);
      if (c.isDir) push_frame(stack, c, r);
    } else {
      const e = entry(<u32>(-1 - ref));
      const first = load<u32>(e + E_A);
      if (<u32>k >= load<u32>(e + E_B) || <u64>first + <u64>k >= <u64>image_count) {
        stack.length = n - 3;
        continue;
      }
      const ce = entry(first + <u32>k);
      const r = left - 1 - <i64>load<u32>(ce + E_NAME_LEN);
      if (r <= 0) return false;
      if (load<u8>(ce + E_TYPE) == FILETYPE_DIRECTORY && load<u32>(ce + E_B) > 0) {
        stack.push(-1 - <i64>(first + <u32>k));
        stack.push(0);
        stack.push(r);
      }
    }
  }
  return true;
}

function push_frame(stack: Array<i64>, d: Inode, room: i64): void {
  stack.push(d.image >= 0 ? -1 - <i64>d.image : <i64>changetype<usize>(d));
  stack.push(0);
  stack.push(room);
}
