// path_* entry points: resolve from a directory handle (resolve.ts), then
// act on the result with POSIX's rules. Where the spec is silent we answer
// what Linux does (node:wasi's differences are listed in README.md).

import * as app from "../../abi/assembly/app";
import {
  ERRNO_BADF, ERRNO_BUSY, ERRNO_EXIST, ERRNO_INVAL, ERRNO_ISDIR, ERRNO_LOOP, ERRNO_MFILE, ERRNO_NAMETOOLONG, ERRNO_NOENT, ERRNO_NOSPC,
  ERRNO_NOTDIR, ERRNO_NOTEMPTY, ERRNO_PERM, ERRNO_SUCCESS, FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE,
  FILETYPE_SYMBOLIC_LINK, LOOKUPFLAGS_SYMLINK_FOLLOW, OFLAGS_CREAT, OFLAGS_DIRECTORY, OFLAGS_EXCL, OFLAGS_TRUNC,
  RIGHTS_FD_WRITE,
} from "../../abi/assembly/constants";
import {
  dir_can_insert, dir_insert, dir_is_empty, dir_name_fits, dir_path_bytes, dir_remove_entry, dir_subtree_fits, dir_within,
} from "./directory";
import { FDFLAGS_ALL } from "./fd";
import { file_resize } from "./file";
import { handle_get, handle_open } from "./handles";
import { Inode, inode_new, inode_release, META_NAME, meta_of, now, set_modified, touch_modified } from "./inode";
import { max_path, mem_guard, meta_allows, meta_charge } from "./limits";
import {
  r_entry, r_inode, r_name_hash_get, r_name_is_dot, r_name_len_get, r_name_ptr_get, r_parent, r_path_get, r_trailing, read_errno, read_path, resolve,
} from "./resolve";
import { set_times, write_filestat } from "./stat";

const OFLAGS_ALL: u32 = OFLAGS_CREAT | OFLAGS_DIRECTORY | OFLAGS_EXCL | OFLAGS_TRUNC;

let path_errno: u16 = ERRNO_SUCCESS;

/** The directory a path starts from, or null with path_errno set. */
function start_dir(h: u32): Inode | null {
  const handle = handle_get(h);
  if (handle == null) {
    path_errno = ERRNO_BADF;
    return null;
  }
  if (!handle.inode.isDir) {
    path_errno = ERRNO_NOTDIR;
    return null;
  }
  return handle.inode;
}

/** Resolves (h, path) into the r_* results; the errno on failure. */
function lookup(h: u32, path: u32, path_len: u32, follow: bool, nameOnly: bool = false): u16 {
  // Lookups make garbage only; near the memory ceiling this collects it first.
  mem_guard(0);
  const start = start_dir(h);
  if (start == null) return path_errno;
  if (!read_path(path, path_len)) return read_errno;
  return resolve(start, follow, nameOnly);
}

/** The last lookup's name, made a string, goes into `parent` (live: a removed one takes no entries, ENOENT). */
function link_new(parent: Inode, node: Inode, t: u64): void {
  dir_insert(parent, r_name_ptr_get(), r_name_len_get(), r_name_hash_get(), node);
  meta_charge(<i64>name_meta(r_name_len_get()));
  set_modified(parent, t);
}

/** The metadata a name of `len` bytes counts (inode.ts). */
@inline function name_meta(len: u32): u64 {
  return META_NAME + <u64>len;
}

/**
 * Whether the last lookup's name, with a new inode of `filetype` (`target`:
 * a symlink's bytes; FILETYPE_UNKNOWN: a new name only), may go into
 * `parent`: its absolute path must stay shorter than max path
 * (ENAMETOOLONG, directory.ts), the metadata quota must hold it and memory
 * must have room for the entry (ENOSPC).
 */
function can_create(parent: Inode, filetype: u8, target: u64): u16 {
  const len = r_name_len_get();
  if (!dir_name_fits(parent, len)) return ERRNO_NAMETOOLONG;
  const meta = name_meta(len) + (filetype != 0 ? meta_of(filetype, target) : 0);
  if (!meta_allows(meta) || !dir_can_insert(parent, len)) return ERRNO_NOSPC;
  return ERRNO_SUCCESS;
}

/** A removed name gives its metadata back (the last lookup named it). */
@inline function name_removed(): void {
  meta_charge(-<i64>name_meta(r_name_len_get()));
}

/** Returns the new handle, or the negated errno. */
export function path_open(
  h: u32, dirflags: u32, path: u32, path_len: u32, oflags: u32,
  // Inheriting rights are the kernel's business (it keeps them in the fd table).
  rights_base: u64, _rights_inheriting: u64, fdflags: u32,
): i32 {
  if (oflags & ~OFLAGS_ALL || fdflags & ~<u32>FDFLAGS_ALL) return -<i32>ERRNO_INVAL;
  // O_CREAT with a trailing slash is EISDIR on Linux once the directories
  // before the last name resolve, whatever that name is (found by conformance/difffuzz).
  const create = (oflags & OFLAGS_CREAT) != 0;
  const err = lookup(h, path, path_len, (dirflags & LOOKUPFLAGS_SYMLINK_FOLLOW) != 0, create);
  if (err != ERRNO_SUCCESS) return -<i32>err;
  if (create && r_trailing) return -<i32>ERRNO_ISDIR;
  let node = r_inode;
  if (node == null) {
    if (!(oflags & OFLAGS_CREAT)) return -<i32>ERRNO_NOENT;
    // open("new/", O_CREAT) answers EISDIR on Linux and in node:wasi.
    if (r_trailing) return -<i32>ERRNO_ISDIR;
    if (oflags & OFLAGS_DIRECTORY) return -<i32>ERRNO_INVAL;
    const parent = r_parent!;
    if (parent.nlink == 0) return -<i32>ERRNO_NOENT;
    const cerr = can_create(parent, FILETYPE_REGULAR_FILE, 0);
    if (cerr != ERRNO_SUCCESS) return -<i32>cerr;
    const t = now();
    node = inode_new(FILETYPE_REGULAR_FILE, t);
    meta_charge(<i64>meta_of(FILETYPE_REGULAR_FILE, 0));
    link_new(parent, node, t);
  } else {
    if ((oflags & OFLAGS_CREAT) && (oflags & OFLAGS_EXCL)) return -<i32>ERRNO_EXIST;
    // The last component is a symlink we were told not to follow: O_NOFOLLOW (wasmtime).
    if (node.isSymlink) return -<i32>ERRNO_LOOP;
    if (node.isDir) {
      if (oflags & (OFLAGS_CREAT | OFLAGS_TRUNC)) return -<i32>ERRNO_ISDIR;
      // Asking for the write right opens for writing, which a directory refuses, with
      // O_DIRECTORY or without, as in wasmtime and the official suite (path_open_preopen);
      // node:wasi opens it read-only when O_DIRECTORY is given.
      if (rights_base & RIGHTS_FD_WRITE) return -<i32>ERRNO_ISDIR;
    } else {
      if (oflags & OFLAGS_DIRECTORY) return -<i32>ERRNO_NOTDIR;
      if ((oflags & OFLAGS_TRUNC) && node.size > 0) {
        const terr = file_resize(node, 0);
        if (terr != ERRNO_SUCCESS) return -<i32>terr;
        touch_modified(node);
      }
    }
  }
  const opened = handle_open(node, <u16>fdflags);
  if (opened < 0) {
    inode_release(node);
    return -<i32>ERRNO_MFILE;
  }
  return opened;
}

export function path_create_directory(h: u32, path: u32, path_len: u32): u16 {
  const err = lookup(h, path, path_len, false, true);
  if (err != ERRNO_SUCCESS) return err;
  if (r_inode != null) return ERRNO_EXIST;
  const parent = r_parent!;
  if (parent.nlink == 0) return ERRNO_NOENT;
  const cerr = can_create(parent, FILETYPE_DIRECTORY, 0);
  if (cerr != ERRNO_SUCCESS) return cerr;
  const t = now();
  meta_charge(<i64>meta_of(FILETYPE_DIRECTORY, 0));
  link_new(parent, inode_new(FILETYPE_DIRECTORY, t), t);
  return ERRNO_SUCCESS;
}

export function path_remove_directory(h: u32, path: u32, path_len: u32): u16 {
  const err = lookup(h, path, path_len, false, true);
  if (err != ERRNO_SUCCESS) return err;
  const node = r_inode;
  if (node == null) return ERRNO_NOENT;
  // rmdir(2): "." is EINVAL, ".." is not empty.
  if (r_parent == null) return r_name_is_dot() ? ERRNO_INVAL : ERRNO_NOTEMPTY;
  if (!node.isDir) return ERRNO_NOTDIR;
  if (!dir_is_empty(node)) return ERRNO_NOTEMPTY;
  const parent = r_parent!;
  dir_remove_entry(parent, r_entry);
  name_removed();
  const t = now();
  node.ctim = t;
  set_modified(parent, t);
  inode_release(node);
  return ERRNO_SUCCESS;
}

export function path_unlink_file(h: u32, path: u32, path_len: u32): u16 {
  const err = lookup(h, path, path_len, false, true);
  if (err != ERRNO_SUCCESS) return err;
  const node = r_inode;
  if (node == null) return ERRNO_NOENT;
  if (r_parent == null || node.isDir) return ERRNO_ISDIR;
  if (r_trailing) return ERRNO_NOTDIR; // unlink(2) of "file/"
  const parent = r_parent!;
  dir_remove_entry(parent, r_entry);
  name_removed();
  const t = now();
  node.ctim = t;
  set_modified(parent, t);
  inode_release(node);
  return ERRNO_SUCCESS;
}

export function path_filestat_get(h: u32, flags: u32, path: u32, path_len: u32, buf: u32): u16 {
  const err = lookup(h, path, path_len, (flags & LOOKUPFLAGS_SYMLINK_FOLLOW) != 0);
  if (err != ERRNO_SUCCESS) return err;
  const node = r_inode;
  if (node == null) return ERRNO_NOENT;
  write_filestat(node, buf);
  return ERRNO_SUCCESS;
}

export function path_filestat_set_times(
  h: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u32,
): u16 {
  const err = lookup(h, path, path_len, (flags & LOOKUPFLAGS_SYMLINK_FOLLOW) != 0);
  if (err != ERRNO_SUCCESS) return err;
  const node = r_inode;
  if (node == null) return ERRNO_NOENT;
  return set_times(node, atim, mtim, fst_flags);
}

/** A short buffer gets the first buf_len bytes, as readlink(2) and wasmtime (node:wasi answers ENOBUFS). */
export function path_readlink(h: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, bufused: u32): u16 {
  const err = lookup(h, path, path_len, false);
  if (err != ERRNO_SUCCESS) return err;
  const node = r_inode;
  if (node == null) return ERRNO_NOENT;
  if (!node.isSymlink) return ERRNO_INVAL;
  const size = <u32>node.size;
  const n = size < buf_len ? size : buf_len;
  if (n > 0) app.copy_out(buf, node.data, n);
  app.store_u32(bufused, n);
  return ERRNO_SUCCESS;
}

/** Absolute targets are allowed: they resolve from the box's root (DESIGN.md §4). */
export function path_symlink(old_path: u32, old_path_len: u32, h: u32, new_path: u32, new_path_len: u32): u16 {
  mem_guard(0);
  const start = start_dir(h);
  if (start == null) return path_errno;
  if (!read_path(old_path, old_path_len)) return read_errno;
  if (old_path_len == 0) return ERRNO_NOENT;
  // A program may not create an absolute symlink (EPERM, as wasmtime and node:wasi; the
  // official suite's symlink_create): outside the box it would name a host path. Absolute
  // symlinks that come with an image or a snapshot are kept and resolve from the box root.
  if (load<u8>(r_path_get()) == 0x2f) return ERRNO_PERM;
  // The target's bytes, before the new path takes the path buffer.
  if (!mem_guard(<u64>old_path_len)) return ERRNO_NOSPC;
  const target = heap.alloc(<usize>old_path_len);
  memory.copy(target, r_path_get(), <usize>old_path_len);
  const err = symlink_at(start, target, old_path_len, new_path, new_path_len);
  if (err != ERRNO_SUCCESS) heap.free(target);
  return err;
}

/** path_symlink once the target's bytes are the vfs's own (`target`, which the new inode takes over). */
function symlink_at(start: Inode, target: usize, target_len: u32, new_path: u32, new_path_len: u32): u16 {
  if (!read_path(new_path, new_path_len)) return read_errno;
  const err = resolve(start, false, true);
  if (err != ERRNO_SUCCESS) return err;
  if (r_inode != null) return ERRNO_EXIST;
  if (r_trailing) return ERRNO_NOENT;
  const parent = r_parent!;
  if (parent.nlink == 0) return ERRNO_NOENT;
  const cerr = can_create(parent, FILETYPE_SYMBOLIC_LINK, <u64>target_len);
  if (cerr != ERRNO_SUCCESS) return cerr;
  const t = now();
  meta_charge(<i64>meta_of(FILETYPE_SYMBOLIC_LINK, <u64>target_len));
  const node = inode_new(FILETYPE_SYMBOLIC_LINK, t);
  node.data = target;
  node.cap = target_len;
  node.size = <u64>target_len;
  link_new(parent, node, t);
  return ERRNO_SUCCESS;
}

export function path_link(
  old_h: u32, old_flags: u32, old_path: u32, old_path_len: u32,
  new_h: u32, new_path: u32, new_path_len: u32,
): u16 {
  let err = lookup(old_h, old_path, old_path_len, (old_flags & LOOKUPFLAGS_SYMLINK_FOLLOW) != 0);
  if (err != ERRNO_SUCCESS) return err;
  const node = r_inode;
  if (node == null) return ERRNO_NOENT;
  // linkat(2) on Linux: the new name's errors (its directories, EEXIST) come before EPERM for a directory.
  err = lookup(new_h, new_path, new_path_len, false, true);
  if (err != ERRNO_SUCCESS) return err;
  if (r_inode != null) return ERRNO_EXIST;
  if (r_trailing) return ERRNO_NOENT;
  if (node.isDir) return ERRNO_PERM;
  const parent = r_parent!;
  if (parent.nlink == 0) return ERRNO_NOENT;
  if (node.nlink == 0) return ERRNO_NOENT; // linkat(2) of an unlinked file
  const cerr = can_create(parent, 0, 0);
  if (cerr != ERRNO_SUCCESS) return cerr;
  const t = now();
  link_new(parent, node, t);
  node.ctim = t;
  return ERRNO_SUCCESS;
}

export function path_rename(
  old_h: u32, old_path: u32, old_path_len: u32, new_h: u32, new_path: u32, new_path_len: u32,
): u16 {
  let err = lookup(old_h, old_path, old_path_len, false, true);
  if (err != ERRNO_SUCCESS) return err;
  const node = r_inode;
  const oldParent = r_parent;
  const fromEntry = r_entry;
  const fromTrailing = r_trailing;
  const fromLen = r_name_len_get();
  // renameat2 on Linux resolves both parents first: the new name's directory
  // errors come before EBUSY for "." and before ENOENT for a missing old name.
  err = lookup(new_h, new_path, new_path_len, false, true);
  if (err != ERRNO_SUCCESS) return err;
  if (oldParent == null || r_parent == null) return ERRNO_BUSY;
  if (node == null) return ERRNO_NOENT;
  const from = oldParent!;
  const to = r_parent!;
  const toEntry = r_entry;
  const target = r_inode;
  if ((fromTrailing || r_trailing) && !node.isDir) return ERRNO_NOTDIR;
  // rename(2) on Linux: a target that is an ancestor of the source is ENOTEMPTY, before any type check.
  if (target != null && target.isDir && dir_within(from, target)) return ERRNO_NOTEMPTY;
  if (target == node) return ERRNO_SUCCESS; // rename(2): the same file, nothing to do
  if (node.isDir) {
    // Into its own subtree is refused first, as rename(2) on Linux does.
    if (dir_within(to, node)) return ERRNO_INVAL;
    if (target != null && !target.isDir) return ERRNO_NOTDIR;
    if (target != null && !dir_is_empty(target)) return ERRNO_NOTEMPTY;
  } else if (target != null && target.isDir) {
    return ERRNO_ISDIR;
  }
  if (to.nlink == 0) return ERRNO_NOENT;
  const toLen = r_name_len_get();
  // The new path, and for a directory every path below it, must stay shorter than max path.
  const toBytes = dir_path_bytes(to, max_path) + 1 + <u64>toLen;
  if (toBytes >= <u64>max_path) return ERRNO_NAMETOOLONG;
  if (node.isDir && toBytes > dir_path_bytes(from, max_path) + 1 + <u64>fromLen) {
    // The walk's frames take 24 bytes per level, a level 2 bytes of room at least.
    if (!mem_guard((<u64>max_path - toBytes) * 12)) return ERRNO_NOSPC;
    if (!dir_subtree_fits(node, <i64>(<u64>max_path - toBytes))) return ERRNO_NAMETOOLONG;
  }
  // One name goes (the target's, when there is one), and the moved name may be longer.
  const meta = target != null ? -<i64>name_meta(fromLen) : <i64>toLen - <i64>fromLen;
  if (meta > 0 && !meta_allows(<u64>meta)) return ERRNO_NOSPC;
  if (!dir_can_insert(to, toLen)) return ERRNO_NOSPC;
  const t = now();
  if (target != null) {
    dir_remove_entry(to, toEntry);
    target.ctim = t;
    inode_release(target);
  }
  meta_charge(meta);
  // The new name's bytes are still in the path buffer: the second lookup was the last.
  const toName = r_name_ptr_get();
  dir_remove_entry(from, fromEntry);
  dir_insert(to, toName, toLen, r_name_hash_get(), node);
  node.ctim = t;
  set_modified(from, t);
  set_modified(to, t);
  return ERRNO_SUCCESS;
}
