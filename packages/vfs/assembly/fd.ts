// fd_* entry points on vfs handles. The kernel has checked rights and bounds
// of every app pointer; here: the handle (EBADF), the node kind, the values.
//
// File-only calls on a directory answer EISDIR (read(2)/write(2) on Linux;
// node:wasi answers ENOTCAPABLE there, from its rights, which our kernel
// checks before we are called); fd_seek/fd_tell on a directory answer EBADF,
// as wasmtime does.

import * as app from "../../abi/assembly/app";
import {
  ADVICE_NOREUSE, DIRENT_D_INO_OFFSET, DIRENT_D_NAMLEN_OFFSET, DIRENT_D_NEXT_OFFSET, DIRENT_D_TYPE_OFFSET,
  DIRENT_SIZE, ERRNO_BADF, ERRNO_INVAL, ERRNO_ISDIR, ERRNO_NAMETOOLONG, ERRNO_NOMEM, ERRNO_NOTDIR, ERRNO_SUCCESS,
  FDFLAGS_APPEND, FDFLAGS_DSYNC, FDFLAGS_NONBLOCK, FDFLAGS_RSYNC, FDFLAGS_SYNC,
  FILETYPE_DIRECTORY, PREOPENTYPE_DIR, WHENCE_CUR, WHENCE_END, WHENCE_SET,
} from "../../abi/assembly/constants";
import { dir_count, dir_first_after, dir_id_at, dir_inode_at, dir_live_at, dir_name_at, dir_name_len_at, dir_parent, dir_ready } from "./directory";
import { file_read, file_resize, file_write } from "./file";
import { Handle, handle_close, handle_get } from "./handles";
import { Inode, touch_modified } from "./inode";
import { set_times, write_filestat } from "./stat";
import { string_to_bytes } from "./strings";

export const FDFLAGS_ALL: u16 = FDFLAGS_APPEND | FDFLAGS_DSYNC | FDFLAGS_NONBLOCK | FDFLAGS_RSYNC | FDFLAGS_SYNC;

/** A dirent header and a name of up to 255 bytes (names are never longer). */
const DIRENT_SCRATCH: usize = memory.data(DIRENT_SIZE + 256);
/** An fdstat record: filetype and fdflags in the first word, zero rights after it. */
const FDSTAT_RECORD: usize = memory.data(24, 8);

export function fd_prestat_get(h: u32, buf: u32): u16 {
  const handle = handle_get(h);
  if (handle == null || handle.preopen == null) return ERRNO_BADF;
  app.store_u32(buf, PREOPENTYPE_DIR);
  app.store_u32(buf + 4, <u32>handle.preopen!.length);
  return ERRNO_SUCCESS;
}

/** A buffer shorter than the name answers ENAMETOOLONG, as wasmtime (node:wasi answers ENOBUFS; the suite takes EINVAL or ENAMETOOLONG). */
export function fd_prestat_dir_name(h: u32, path: u32, path_len: u32): u16 {
  const handle = handle_get(h);
  if (handle == null || handle.preopen == null) return ERRNO_BADF;
  const name = handle.preopen!;
  if (path_len < <u32>name.length) return ERRNO_NAMETOOLONG;
  string_to_bytes(name, DIRENT_SCRATCH);
  app.copy_out(path, DIRENT_SCRATCH, <u32>name.length);
  return ERRNO_SUCCESS;
}

/** Shared shape of read/write: a file handle, or the errno for one that is not. */
let file_errno: u16 = ERRNO_SUCCESS;
function file_handle(h: u32): Handle | null {
  const handle = handle_get(h);
  if (handle == null) {
    file_errno = ERRNO_BADF;
    return null;
  }
  if (handle.inode.isDir) {
    file_errno = ERRNO_ISDIR;
    return null;
  }
  return handle;
}

export function fd_read(h: u32, iovs: u32, iovs_len: u32, nread: u32): u16 {
  const handle = file_handle(h);
  if (handle == null) return file_errno;
  const n = file_read(handle.inode, handle.pos, iovs, iovs_len);
  if (n < 0) return <u16>-n;
  handle.pos += <u64>n;
  app.store_u32(nread, <u32>n);
  return ERRNO_SUCCESS;
}

export function fd_pread(h: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32): u16 {
  const handle = file_handle(h);
  if (handle == null) return file_errno;
  const n = file_read(handle.inode, offset, iovs, iovs_len);
  if (n < 0) return <u16>-n;
  app.store_u32(nread, <u32>n);
  return ERRNO_SUCCESS;
}

function write_at(i: Inode, pos: u64, iovs: u32, iovs_len: u32, nwritten: u32): i64 {
  const n = file_write(i, pos, iovs, iovs_len);
  if (n < 0) return n;
  if (n > 0) touch_modified(i);
  app.store_u32(nwritten, <u32>n);
  return n;
}

export function fd_write(h: u32, iovs: u32, iovs_len: u32, nwritten: u32): u16 {
  const handle = file_handle(h);
  if (handle == null) return file_errno;
  const i = handle.inode;
  const pos = handle.fdflags & FDFLAGS_APPEND ? i.size : handle.pos;
  const n = write_at(i, pos, iovs, iovs_len, nwritten);
  if (n < 0) return <u16>-n;
  // write(2) of nothing moves nothing, even on an append handle (found by conformance/difffuzz)
  if (n > 0) handle.pos = pos + <u64>n;
  return ERRNO_SUCCESS;
}

export function fd_pwrite(h: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32): u16 {
  const handle = file_handle(h);
  if (handle == null) return file_errno;
  // An append handle always writes at the end (preview1's fdflags.append; Linux's pwrite does the same).
  const at = handle.fdflags & FDFLAGS_APPEND ? handle.inode.size : offset;
  const n = write_at(handle.inode, at, iovs, iovs_len, nwritten);
  return n < 0 ? <u16>-n : ERRNO_SUCCESS;
}

export function fd_seek(h: u32, offset: i64, whence: u32, newoffset: u32): u16 {
  const handle = handle_get(h);
  if (handle == null || handle.inode.isDir) return ERRNO_BADF;
  let base: i64;
  if (whence == WHENCE_SET) base = 0;
  else if (whence == WHENCE_CUR) base = <i64>handle.pos;
  else if (whence == WHENCE_END) base = <i64>handle.inode.size;
  else return ERRNO_INVAL;
  const pos = base + offset;
  // A negative result, or one that wrapped around, is refused as lseek(2) does.
  if (pos < 0 || (offset > 0 && pos < base)) return ERRNO_INVAL;
  handle.pos = <u64>pos;
  app.store_u64(newoffset, <u64>pos);
  return ERRNO_SUCCESS;
}

export function fd_tell(h: u32, offset: u32): u16 {
  const handle = handle_get(h);
  if (handle == null || handle.inode.isDir) return ERRNO_BADF;
  app.store_u64(offset, handle.pos);
  return ERRNO_SUCCESS;
}

/** Advice changes nothing in memory; it is validated as posix_fadvise does. */
export function fd_advise(h: u32, offset: u64, len: u64, advice: u32): u16 {
  const handle = handle_get(h);
  // Advice is about file data: a directory answers EBADF, as posix_fadvise on Linux.
  if (handle == null || handle.inode.isDir) return ERRNO_BADF;
  if (advice > ADVICE_NOREUSE || <i64>offset < 0 || <i64>len < 0) return ERRNO_INVAL;
  return ERRNO_SUCCESS;
}

export function fd_allocate(h: u32, offset: u64, len: u64): u16 {
  const handle = file_handle(h);
  if (handle == null) return file_errno;
  if (len == 0) return ERRNO_INVAL; // as posix_fallocate
  const end = offset + len;
  if (end < offset || <i64>end < 0) return ERRNO_INVAL;
  const i = handle.inode;
  if (end <= i.size) return ERRNO_SUCCESS;
  const err = file_resize(i, end);
  if (err == ERRNO_SUCCESS) touch_modified(i);
  return err;
}

/** Nothing is ever unwritten: sync and datasync only check the handle. */
export function fd_sync(h: u32): u16 {
  return handle_get(h) == null ? ERRNO_BADF : ERRNO_SUCCESS;
}

export function fd_datasync(h: u32): u16 {
  return handle_get(h) == null ? ERRNO_BADF : ERRNO_SUCCESS;
}

/** Filetype and fdflags; the kernel overwrites the rights with its own. */
export function fd_fdstat_get(h: u32, buf: u32): u16 {
  const handle = handle_get(h);
  if (handle == null) return ERRNO_BADF;
  // Built here and copied out whole (the rights fields stay zero).
  store<u64>(FDSTAT_RECORD, <u64>handle.inode.filetype | (<u64>handle.fdflags << 16));
  app.copy_out(buf, FDSTAT_RECORD, 24);
  return ERRNO_SUCCESS;
}

export function fd_fdstat_set_flags(h: u32, flags: u32): u16 {
  const handle = handle_get(h);
  if (handle == null) return ERRNO_BADF;
  if (flags & ~<u32>FDFLAGS_ALL) return ERRNO_INVAL;
  handle.fdflags = <u16>flags;
  return ERRNO_SUCCESS;
}

export function fd_filestat_get(h: u32, buf: u32): u16 {
  const handle = handle_get(h);
  if (handle == null) return ERRNO_BADF;
  write_filestat(handle.inode, buf);
  return ERRNO_SUCCESS;
}

export function fd_filestat_set_size(h: u32, size: u64): u16 {
  const handle = file_handle(h);
  if (handle == null) return file_errno;
  if (<i64>size < 0) return ERRNO_INVAL;
  const i = handle.inode;
  const err = file_resize(i, size);
  if (err == ERRNO_SUCCESS) touch_modified(i);
  return err;
}

export function fd_filestat_set_times(h: u32, atim: u64, mtim: u64, fst_flags: u32): u16 {
  const handle = handle_get(h);
  if (handle == null) return ERRNO_BADF;
  return set_times(handle.inode, atim, mtim, fst_flags);
}

const DOTS: usize = memory.data<u8>([0x2e, 0x2e]);

/** Writes one dirent (header, then name) at `at`, cut at `end`; returns the new `at`. */
function put_dirent(at: u64, end: u64, next: u64, ino: u64, type: u8, name: usize, namelen: u32): u64 {
  store<u64>(DIRENT_SCRATCH + DIRENT_D_NEXT_OFFSET, next);
  store<u64>(DIRENT_SCRATCH + DIRENT_D_INO_OFFSET, ino);
  store<u32>(DIRENT_SCRATCH + DIRENT_D_NAMLEN_OFFSET, namelen);
  store<u32>(DIRENT_SCRATCH + DIRENT_D_TYPE_OFFSET, <u32>type); // zeroes the padding too
  memory.copy(DIRENT_SCRATCH + DIRENT_SIZE, name, <usize>namelen);
  const whole = <u64>(DIRENT_SIZE + namelen);
  const room = end - at;
  const n = whole < room ? whole : room;
  app.copy_out(<u32>at, DIRENT_SCRATCH, <u32>n);
  return at + n;
}

/**
 * Cookies: "." is followed by 1, ".." by 2, each entry by its id (directory.ts).
 * The buffer is filled to the last byte when more entries remain, the last one cut.
 */
export function fd_readdir(h: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32): u16 {
  const handle = handle_get(h);
  if (handle == null) return ERRNO_BADF;
  const d = handle.inode;
  if (!d.isDir) return ERRNO_NOTDIR;
  if (!dir_ready(d)) return ERRNO_NOMEM;
  const end = <u64>buf + buf_len;
  let at = <u64>buf;
  if (cookie < 1 && at < end) at = put_dirent(at, end, 1, d.ino, FILETYPE_DIRECTORY, DOTS, 1);
  if (cookie < 2 && at < end) {
    const parent = dir_parent(d);
    at = put_dirent(at, end, 2, parent != null ? parent.ino : d.ino, FILETYPE_DIRECTORY, DOTS, 2);
  }
  const n = dir_count(d);
  for (let k = dir_first_after(d, cookie); k < n && at < end; k++) {
    if (!dir_live_at(d, k)) continue;
    const child = dir_inode_at(d, k);
    at = put_dirent(at, end, dir_id_at(d, k), child.ino, child.filetype, dir_name_at(d, k), dir_name_len_at(d, k));
  }
  app.store_u32(bufused, <u32>(at - buf));
  return ERRNO_SUCCESS;
}

export function fd_close(h: u32): u16 {
  if (handle_get(h) == null) return ERRNO_BADF;
  handle_close(h);
  return ERRNO_SUCCESS;
}
