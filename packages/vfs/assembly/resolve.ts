// Path resolution (spec: path-resolution.md; DESIGN.md §4), one component at
// a time as the spec's manual algorithm does:
// - paths are relative to the start directory; absolute paths are refused
//   (ENOTCAPABLE), and so is a ".." that would climb above the start;
// - absolute symlink targets resolve from the box's root: after such a jump
//   ".." at the root stays at the root, as on Linux;
// - at most MAX_HOPS symlinks per lookup (ELOOP); the last component's
//   symlink is followed only when asked or when a trailing slash requires a
//   directory;
// - a trailing slash means the result must be a directory.
// Results are left in r_* (one lookup at a time; callers copy what they keep).
//
// Nothing here allocates once the buffers have reached their size: the path
// is copied from the app into a scratch buffer with one copy_in, components
// are (pointer, length) slices of it compared as bytes with the directory's
// names (directory.ts), and a symlink is followed by rewriting the rest of
// the path as `target + rest` in the other buffer, as Linux's walk does. The
// last component's name becomes a string only when a caller needs one
// (r_name_string: creating a name).

import * as app from "../../abi/assembly/app";
import {
  ERRNO_INVAL, ERRNO_LOOP, ERRNO_NAMETOOLONG, ERRNO_NOENT, ERRNO_NOMEM, ERRNO_NOTCAPABLE, ERRNO_NOTDIR, ERRNO_SUCCESS,
} from "../../abi/assembly/constants";
import { dir_find, dir_found_id, dir_removals, dir_short } from "./directory";
import { Inode } from "./inode";
import { max_path } from "./limits";
import { bytes_to_string } from "./strings";

export const MAX_HOPS: i32 = 40;
export const NAME_MAX: i32 = 255;

const SLASH: u8 = 0x2f;
const DOT: u8 = 0x2e;

/** The directory holding the last component; null when the path ends in "." or "..". */
export let r_parent: Inode | null = null;
/** What the path names; null when the last component does not exist (r_parent, r_name say where it would go). */
export let r_inode: Inode | null = null;
/** The id of r_parent's entry naming r_inode (0 when either is null). */
export let r_entry: u64 = 0;
/** The path ended with a slash: it must name a directory. */
export let r_trailing: bool = false;
/** The last component's name ("." or ".." when r_parent is null): bytes in the path buffer, valid until the next lookup. */
let r_name_ptr: usize = 0;
let r_name_len: usize = 0;
/** Its FNV-1a hash (directory.ts), when r_parent is set: an insert then need not hash it again. */
let r_name_hash: u32 = 0;

let root: Inode | null = null;

/** The path being resolved (what is left of it after symlinks), and where a symlink's rewrite is built. */
let buf: usize = 0;
let bufCap: usize = 0;
let alt: usize = 0;
let altCap: usize = 0;
/** Length of the path in the buffer (read_path, rewrite). */
let path_len: usize = 0;
/**
 * Directories walked so far: ".." goes back one (the start is at the bottom); `depth` of them are in use.
 * Raw pointers, not a managed array: every one is reachable from the tree or a handle while a
 * lookup runs, and storing them costs no write barrier.
 */
let walk: usize = 0;
let walkCap: i32 = 0;
let depth: i32 = 0;
/** The name "." for a result that has no component of its own. */
const DOT_NAME: usize = memory.data<u8>([0x2e]);

// The last lookup that named an existing node without following a symlink,
// kept while no directory entry anywhere is removed (dir_removals): programs
// open and stat the same path over and over, and such a lookup then costs a
// comparison of the path's bytes (Linux's dentry cache, one entry deep).
// Beside it, the walk (the directories down to the one the final name was
// looked up in) of the last symlink-free lookup, keyed by the path's bytes
// before that name: a program that creates or opens many names in one
// directory walks only the last one. The whole walk is kept, not just its
// end: a symlink in that last name may climb back up with "..".
const DIR_CACHE_DEPTH: i32 = 32;
const CACHE_MAX: usize = 256;
const cacheBytes: usize = memory.data(<i32>CACHE_MAX, 8);
let cacheLen: usize = 0;
let cacheValid = false;
let cacheGeneration: u32 = 0;
let cacheStart: Inode | null = null;
let cacheFlags: u32 = 0;
let cacheParent: Inode | null = null;
let cacheInode: Inode | null = null;
let cacheEntry: u64 = 0;
let cacheNameOff: usize = 0;
let cacheNameLen: usize = 0;
let cacheNameHash: u32 = 0;
let cacheTrailing = false;

const dirCacheBytes: usize = memory.data(<i32>CACHE_MAX, 8);
/** Bytes of the path before the final name; 0 when there is no directory cached. */
let dirCacheLen: usize = 0;
let dirCacheGeneration: u32 = 0;
let dirCacheStart: Inode | null = null;
const dirCacheWalk: usize = memory.data(DIR_CACHE_DEPTH << alignof<usize>(), 8);
let dirCacheDepth: i32 = 0;

@inline function bytes_equal(a: usize, b: usize, len: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  for (; i < len; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** Serves the lookup from the cache when it is the same one; true on a hit. */
@inline function cache_hit(start: Inode, flags: u32): bool {
  if (!cacheValid || cacheGeneration != dir_removals || cacheStart !== start || cacheFlags != flags || cacheLen != path_len) return false;
  if (!bytes_equal(cacheBytes, buf, path_len)) return false;
  r_parent = cacheParent;
  r_inode = cacheInode;
  r_entry = cacheEntry;
  r_name_ptr = buf + cacheNameOff;
  r_name_len = cacheNameLen;
  r_name_hash = cacheNameHash;
  r_trailing = cacheTrailing;
  return true;
}

function cache_store(start: Inode, flags: u32): void {
  if (path_len > CACHE_MAX) return;
  memory.copy(cacheBytes, buf, path_len);
  cacheLen = path_len;
  cacheValid = true;
  cacheGeneration = dir_removals;
  cacheStart = start;
  cacheFlags = flags;
  cacheParent = r_parent;
  cacheInode = r_inode;
  cacheEntry = r_entry;
  cacheNameOff = r_name_ptr - buf;
  cacheNameLen = r_name_len;
  cacheNameHash = r_name_hash;
  cacheTrailing = r_trailing;
}

/** Where the walk may start from the cached directory: past its prefix, when one name is all that is left; else 0. */
@inline function dir_cache_skip(start: Inode): usize {
  const n = dirCacheLen;
  if (n == 0 || n >= path_len || dirCacheGeneration != dir_removals || dirCacheStart !== start) return 0;
  if (!bytes_equal(dirCacheBytes, buf, n)) return 0;
  // One name, perhaps with trailing slashes; "." and ".." need the walk behind them.
  let end = n;
  while (end < path_len && load<u8>(buf + end) != SLASH) end++;
  for (let i = end; i < path_len; i++) if (load<u8>(buf + i) != SLASH) return 0;
  const len = end - n;
  if (len == 0 || (load<u8>(buf + n) == DOT && (len == 1 || (len == 2 && load<u8>(buf + n + 1) == DOT)))) return 0;
  return n;
}

/** Keeps the current walk for the `prefix` bytes of the path before its final name. */
function dir_cache_store(start: Inode, prefix: usize): void {
  if (prefix == 0 || prefix > CACHE_MAX || depth > DIR_CACHE_DEPTH) return;
  memory.copy(dirCacheBytes, buf, prefix);
  memory.copy(dirCacheWalk, walk, <usize>depth << alignof<usize>());
  dirCacheDepth = depth;
  dirCacheLen = prefix;
  dirCacheGeneration = dir_removals;
  dirCacheStart = start;
}

export function resolve_set_root(r: Inode): void {
  root = r;
  walkCap = 64;
  walk = heap.alloc(<usize>walkCap << alignof<usize>());
}

/** The box's root directory (after init). */
export function resolve_root(): Inode {
  return root!;
}

/** A capacity of at least `need` bytes: powers of two, so that a buffer grows rarely. */
@inline function capacity_for(need: usize): usize {
  return need <= 256 ? 256 : <usize>1 << (32 - clz(<u32>need - 1));
}

/** Makes the path buffer hold at least `need` bytes (its contents are not kept). */
function buf_reserve(need: usize): void {
  if (need <= bufCap) return;
  if (buf != 0) heap.free(buf);
  bufCap = capacity_for(need);
  buf = heap.alloc(bufCap);
}

/** The last component's name: its bytes (valid until the next lookup) and length. */
export function r_name_ptr_get(): usize {
  return r_name_ptr;
}
export function r_name_len_get(): u32 {
  return <u32>r_name_len;
}
export function r_name_hash_get(): u32 {
  return r_name_hash;
}

/** The last component's name as a byte string (for a new directory entry). */
export function r_name_string(): string {
  return bytes_to_string(r_name_ptr, <u32>r_name_len);
}

/** True when the last component was ".". */
export function r_name_is_dot(): bool {
  return r_name_len == 1 && load<u8>(r_name_ptr) == DOT;
}

export let read_errno: u16 = ERRNO_SUCCESS;

/** True when one of the `len` bytes at `p` is 0; eight at a time (a word has a zero byte when (w - 0x01..) & ~w & 0x80.. is not 0). */
@inline function has_nul(p: usize, len: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    const w = load<u64>(p + i);
    if (((w - 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080) != 0) return true;
  }
  for (; i < len; i++) if (load<u8>(p + i) == 0) return true;
  return false;
}

/** Copies a path from app memory into the path buffer; false when it has a NUL (EINVAL) or is too long. */
export function read_path(path: u32, len: u32): bool {
  if (len >= max_path) {
    read_errno = ERRNO_NAMETOOLONG;
    return false;
  }
  buf_reserve(<usize>len + 1);
  app.copy_in(buf, path, len);
  if (has_nul(buf, <usize>len)) {
    read_errno = ERRNO_INVAL;
    return false;
  }
  path_len = <usize>len;
  return true;
}

/** The bytes read_path copied (valid until the next read_path). */
export function r_path_get(): usize {
  return buf;
}

/** Replaces the path with the `tlen` bytes at `target` + the bytes of the path from `rest` on (following a symlink). */
function rewrite(target: usize, tlen: usize, rest: usize): void {
  const tail = path_len - rest;
  const need = tlen + tail + 1;
  if (need > altCap) {
    if (alt != 0) heap.free(alt);
    altCap = capacity_for(need);
    alt = heap.alloc(altCap);
  }
  memory.copy(alt, target, tlen);
  memory.copy(alt + tlen, buf + rest, tail);
  const b = buf;
  const c = bufCap;
  buf = alt;
  bufCap = altCap;
  alt = b;
  altCap = c;
  path_len = tlen + tail;
}

/** Pushes `dir` on the walk, doubling it when full. */
@inline function walk_push(dir: Inode): void {
  if (depth == walkCap) walk_grow();
  store<usize>(walk + (<usize>depth << alignof<usize>()), changetype<usize>(dir));
  depth++;
}

function walk_grow(): void {
  walkCap <<= 1;
  walk = heap.realloc(walk, <usize>walkCap << alignof<usize>());
}

/** The directory on top of the walk. */
@inline function walk_top(): Inode {
  return changetype<Inode>(load<usize>(walk + (<usize>(depth - 1) << alignof<usize>())));
}

/** The result for a last name looked up in `parent`: `inode` (null: not there) from entry `entry`. */
@inline function found_name(parent: Inode, inode: Inode | null, entry: u64, name: usize, len: usize, hash: u32, trailing: bool): u16 {
  r_parent = parent;
  r_inode = inode;
  r_entry = entry;
  r_name_ptr = name;
  r_name_len = len;
  r_name_hash = hash;
  r_trailing = trailing;
  return ERRNO_SUCCESS;
}

/** The result for a last component that is "." or "..": `dir` itself. */
@inline function found_dir(dir: Inode, name: usize, len: usize, trailing: bool): u16 {
  r_inode = dir;
  r_name_ptr = name;
  r_name_len = len;
  r_trailing = trailing;
  return ERRNO_SUCCESS;
}

/**
 * Resolves the path read by read_path from `start`; `follow` follows a
 * symlink in the last component. `nameOnly` is for calls that create or
 * remove the last name (mkdir, rmdir, unlink, rename, the new name of link
 * and symlink, open with O_CREAT): as on Linux, a trailing slash then neither
 * follows a symlink there nor fails on a non-directory; the call decides
 * (EEXIST, ENOTDIR, EISDIR).
 */
export function resolve(start: Inode, follow: bool, nameOnly: bool = false): u16 {
  r_parent = null;
  r_inode = null;
  r_entry = 0;
  r_trailing = false;
  r_name_ptr = 0;
  r_name_len = 0;
  if (path_len == 0) return ERRNO_NOENT;
  if (load<u8>(buf) == SLASH) return ERRNO_NOTCAPABLE;
  const flags = (follow ? 1 : 0) | (nameOnly ? 2 : 0);
  if (cache_hit(start, flags)) return ERRNO_SUCCESS;
  depth = 0;
  let pos = dir_cache_skip(start);
  /** Set while the walk is the cached one: storing it again would copy the same bytes. */
  const fromCache = pos != 0;
  if (fromCache) {
    // walkCap starts above DIR_CACHE_DEPTH and only grows. A few words: a
    // loop, as V8 calls out of compiled code for a memory.copy.
    const n = dirCacheDepth;
    for (let i = 0; i < n; i++) {
      const at = <usize>i << alignof<usize>();
      store<usize>(walk + at, load<usize>(dirCacheWalk + at));
    }
    depth = n;
  } else {
    walk_push(start);
  }
  let fromRoot = false;
  let hops = 0;
  while (true) {
    const end = path_len;
    while (pos < end && load<u8>(buf + pos) == SLASH) pos++;
    const cur = walk_top();
    // Only a symlink target made of slashes leaves no component: it names the root, as "/" does.
    if (pos == end) return found_dir(cur, DOT_NAME, 1, true);
    const name = buf + pos;
    // FNV-1a as string_hash (directory.ts), computed while scanning.
    let hash: u32 = 0x811c9dc5;
    while (pos < end) {
      const c = load<u8>(buf + pos);
      if (c == SLASH) break;
      hash = (hash ^ <u32>c) * 0x01000193;
      pos++;
    }
    const len = buf + pos - name;
    const trailing = pos < end;
    let next = pos;
    while (next < end && load<u8>(buf + next) == SLASH) next++;
    const last = next == end;
    if (load<u8>(name) == DOT && (len == 1 || (len == 2 && load<u8>(name, 1) == DOT))) {
      if (len == 2) {
        if (depth > 1) depth--;
        else if (!fromRoot) return ERRNO_NOTCAPABLE;
      }
      if (last) return found_dir(walk_top(), name, len, trailing);
      pos = next;
      continue;
    }
    if (len > <usize>NAME_MAX) return ERRNO_NAMETOOLONG;
    // The walk down to here serves the next path with the same bytes before its last name.
    if (last && hops == 0 && !fromCache) dir_cache_store(start, name - buf);
    const found = dir_find(cur, name, len, hash);
    if (found == null) {
      if (dir_short) return ERRNO_NOMEM;
      if (!last) return ERRNO_NOENT;
      return found_name(cur, null, 0, name, len, hash, trailing);
    }
    const child = found;
    if (child.isSymlink && (!last || ((follow || trailing) && !(nameOnly && trailing)))) {
      if (++hops > MAX_HOPS) return ERRNO_LOOP;
      const target = child.data;
      const tlen = <usize>child.size;
      if (tlen == 0) return ERRNO_NOENT;
      if (load<u8>(target) == SLASH) {
        depth = 0;
        walk_push(root!);
        fromRoot = true;
      }
      // The rest keeps the slash after the name: "link/" still requires a directory.
      rewrite(target, tlen, pos);
      pos = 0;
      continue;
    }
    if (last) {
      if (trailing && !child.isDir && !nameOnly) return ERRNO_NOTDIR;
      found_name(cur, child, dir_found_id, name, len, hash, trailing);
      // A symlink on the way rewrote the path: the name is not in the caller's bytes then.
      if (hops == 0) cache_store(start, flags);
      return ERRNO_SUCCESS;
    }
    if (!child.isDir) return ERRNO_NOTDIR;
    walk_push(child);
    pos = next;
  }
  // Never reached; asc's flow analysis does not see that this loop only leaves by return (TS2355 without it).
  // biome-ignore lint/correctness/noUnreachable: asc needs it
  return ERRNO_SUCCESS;
}
