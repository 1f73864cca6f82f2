// The fd table's own calls (close, renumber, fdstat, rights) and the
// metadata calls on an open fd (filestat, prestat).

import * as app from "../../abi/assembly/app";
import * as host from "../../abi/assembly/wasi";
import * as vfs from "./vfs";
import * as net from "./net";
import { in_app } from "../../abi/assembly/bounds";
import { copy_out_small } from "../../abi/assembly/copy";
import {
  ERRNO_BADF, ERRNO_FAULT, ERRNO_INVAL, ERRNO_NAMETOOLONG, ERRNO_NOBUFS, ERRNO_NOSYS, ERRNO_NOTCAPABLE, ERRNO_SUCCESS,
  RIGHTS_FD_ADVISE, RIGHTS_FD_ALLOCATE, RIGHTS_FD_FDSTAT_SET_FLAGS, RIGHTS_FD_FILESTAT_GET, RIGHTS_FD_FILESTAT_SET_SIZE,
  RIGHTS_FD_FILESTAT_SET_TIMES, RIGHTS_FD_READ, RIGHTS_FD_SEEK, RIGHTS_FD_TELL, RIGHTS_FD_WRITE,
  RIGHTS_POLL_FD_READWRITE, RIGHTS_SOCK_ACCEPT, RIGHTS_SOCK_SHUTDOWN, FDSTAT_SIZE, FDSTAT_FS_RIGHTS_BASE_OFFSET,
  FDSTAT_FS_RIGHTS_INHERITING_OFFSET, FILESTAT_SIZE, PRESTAT_SIZE, FILETYPE_CHARACTER_DEVICE, FILETYPE_DIRECTORY,
} from "../../abi/assembly/constants";
import {
  DRIVER_HOST, DRIVER_NET, DRIVER_VFS, entry_driver, entry_fdflags, entry_handle, entry_is_preopen, entry_rights_base,
  entry_rights_inheriting, entry_set_fdflags, entry_set_rights, fd_entry, fd_free, fd_move,
} from "./fdtable";
import { host_close } from "./host";
import { app_size, lookup, lookup_errno } from "./lookup";

function close_handle(e: usize): u16 {
  if (entry_driver(e) == DRIVER_HOST) return host_close(entry_handle(e));
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_close(entry_handle(e));
  if (entry_driver(e) == DRIVER_NET) return net.fd_close(entry_handle(e));
  return ERRNO_NOSYS;
}

export function fd_close(fd: u32): u16 {
  const e = fd_entry(fd);
  if (e == 0) return ERRNO_BADF;
  const err = close_handle(e);
  // The box fd is gone even when the driver reports an error, as close(2) on Linux.
  fd_free(fd);
  return err;
}

export function fd_renumber(fd: u32, to: u32): u16 {
  const from = fd_entry(fd);
  const target = fd_entry(to);
  // Both must be open, as in wasmtime and uvwasi.
  if (from == 0 || target == 0) return ERRNO_BADF;
  if (fd == to) return ERRNO_SUCCESS;
  close_handle(target);
  fd_move(fd, to);
  return ERRNO_SUCCESS;
}

/**
 * Rights a directory fd never reports: they act on a file's bytes or a
 * socket, and every driver refuses them on a directory (EISDIR, EBADF), so
 * fd_fdstat_get leaves them out, as wasmtime does (a directory holds no seek
 * right; the official suite's directory_seek checks it). Reporting them
 * would also break the usual way to reopen a directory: path_open with the
 * rights fd_fdstat_get gave, whose FD_WRITE opens for writing and answers
 * EISDIR (path_open_preopen). Inheriting rights are reported as held: they
 * are for what is opened beneath.
 */
const NOT_DIRECTORY_RIGHTS: u64 = RIGHTS_FD_READ | RIGHTS_FD_WRITE | RIGHTS_FD_SEEK | RIGHTS_FD_TELL | RIGHTS_FD_ADVISE
  | RIGHTS_FD_ALLOCATE | RIGHTS_FD_FILESTAT_SET_SIZE | RIGHTS_POLL_FD_READWRITE | RIGHTS_SOCK_SHUTDOWN | RIGHTS_SOCK_ACCEPT;

/** The base rights fd_fdstat_get reports for an fd of `filetype` that holds `held`. */
@inline function reported_base(filetype: u32, held: u64): u64 {
  return filetype == FILETYPE_DIRECTORY ? held & ~NOT_DIRECTORY_RIGHTS : held;
}

/** The two rights fields of an fdstat, built here and copied out at once. */
const RIGHTS_RECORD: usize = memory.data(16, 8);
/** A whole fdstat, built here and copied out at once. */
const FDSTAT_RECORD: usize = memory.data(24, 8);

export function fd_fdstat_get(fd: u32, buf: u32): u16 {
  const e = fd_entry(fd);
  if (e == 0) return ERRNO_BADF;
  if (!in_app(buf, FDSTAT_SIZE, app_size())) return ERRNO_FAULT;
  const base = buf + FDSTAT_FS_RIGHTS_BASE_OFFSET;
  const inheriting = buf + FDSTAT_FS_RIGHTS_INHERITING_OFFSET;
  if (entry_driver(e) == DRIVER_HOST) {
    const err = host.fd_fdstat_get(entry_handle(e), buf);
    if (err == ERRNO_NOSYS && entry_handle(e) < 3) {
      // A sealed box does not ask its host about stdio: it is a character
      // device whose bytes pass through, as far as the program can tell.
      // filetype (u8), padding, then fs_flags (u16) at offset 2
      app.store_u32(buf, <u32>FILETYPE_CHARACTER_DEVICE | (<u32>entry_fdflags(e) << 16));
      app.store_u64(base, entry_rights_base(e));
      app.store_u64(inheriting, entry_rights_inheriting(e));
      return ERRNO_SUCCESS;
    }
    if (err != ERRNO_SUCCESS) return err;
    // The box's rights are the authority: report the host's, narrowed by ours.
    app.store_u64(base, reported_base(app.load_u8(buf), app.load_u64(base) & entry_rights_base(e)));
    app.store_u64(inheriting, app.load_u64(inheriting) & entry_rights_inheriting(e));
    return ERRNO_SUCCESS;
  }
  const driver = entry_driver(e);
  if (driver == DRIVER_VFS && entry_is_preopen(e)) {
    // A vfs preopen is a directory and the table holds its flags and rights: no driver call.
    // wasi-libc asks this of the directory before every open.
    store<u64>(FDSTAT_RECORD, <u64>FILETYPE_DIRECTORY | (<u64>entry_fdflags(e) << 16));
    store<u64>(FDSTAT_RECORD + 8, reported_base(FILETYPE_DIRECTORY, entry_rights_base(e)));
    store<u64>(FDSTAT_RECORD + 16, entry_rights_inheriting(e));
    // 24 bytes: three word stores (copy.ts) rather than a memory.copy, a call out of compiled code.
    copy_out_small(buf, FDSTAT_RECORD, FDSTAT_SIZE);
    return ERRNO_SUCCESS;
  }
  if (driver == DRIVER_VFS || driver == DRIVER_NET) {
    const err = driver == DRIVER_VFS ? vfs.fd_fdstat_get(entry_handle(e), buf) : net.fd_fdstat_get(entry_handle(e), buf);
    if (err != ERRNO_SUCCESS) return err;
    // Drivers know file types and flags; rights live only in the fd table.
    // Both rights fields are adjacent: one copy instead of two stores.
    store<u64>(RIGHTS_RECORD, reported_base(app.load_u8(buf), entry_rights_base(e)));
    store<u64>(RIGHTS_RECORD + 8, entry_rights_inheriting(e));
    copy_out_small(base, RIGHTS_RECORD, 16);
    return ERRNO_SUCCESS;
  }
  return ERRNO_NOSYS;
}

export function fd_fdstat_set_flags(fd: u32, flags: u16): u16 {
  const e = lookup(fd, RIGHTS_FD_FDSTAT_SET_FLAGS);
  if (e == 0) return lookup_errno;
  let err: u16 = ERRNO_NOSYS;
  if (entry_driver(e) == DRIVER_HOST) err = host.fd_fdstat_set_flags(entry_handle(e), flags);
  else if (entry_driver(e) == DRIVER_VFS) err = vfs.fd_fdstat_set_flags(entry_handle(e), flags);
  else if (entry_driver(e) == DRIVER_NET) err = net.fd_fdstat_set_flags(entry_handle(e), flags);
  if (err == ERRNO_SUCCESS) entry_set_fdflags(e, flags);
  return err;
}

/** Rights only ever shrink; asking for one not held answers ENOTCAPABLE. */
export function fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64): u16 {
  const e = fd_entry(fd);
  if (e == 0) return ERRNO_BADF;
  const heldBase = entry_rights_base(e);
  const heldInheriting = entry_rights_inheriting(e);
  if ((base & ~heldBase) != 0 || (inheriting & ~heldInheriting) != 0) return ERRNO_NOTCAPABLE;
  entry_set_rights(e, base, inheriting);
  return ERRNO_SUCCESS;
}

export function fd_filestat_get(fd: u32, buf: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_FILESTAT_GET);
  if (e == 0) return lookup_errno;
  if (!in_app(buf, FILESTAT_SIZE, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_filestat_get(entry_handle(e), buf);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_filestat_get(entry_handle(e), buf);
  if (entry_driver(e) == DRIVER_NET) return net.fd_filestat_get(entry_handle(e), buf);
  return ERRNO_NOSYS;
}

export function fd_filestat_set_size(fd: u32, size: u64): u16 {
  const e = lookup(fd, RIGHTS_FD_FILESTAT_SET_SIZE);
  if (e == 0) return lookup_errno;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_filestat_set_size(entry_handle(e), size);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_filestat_set_size(entry_handle(e), size);
  if (entry_driver(e) == DRIVER_NET) return ERRNO_INVAL; // ftruncate(2) on a socket
  return ERRNO_NOSYS;
}

export function fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, fst_flags: u16): u16 {
  const e = lookup(fd, RIGHTS_FD_FILESTAT_SET_TIMES);
  if (e == 0) return lookup_errno;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_filestat_set_times(entry_handle(e), atim, mtim, fst_flags);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_filestat_set_times(entry_handle(e), atim, mtim, fst_flags);
  return ERRNO_NOSYS;
}

export function fd_prestat_get(fd: u32, buf: u32): u16 {
  const e = fd_entry(fd);
  // Only preopens have a prestat; wasi-libc stops its scan at this EBADF.
  if (e == 0 || !entry_is_preopen(e)) return ERRNO_BADF;
  if (!in_app(buf, PRESTAT_SIZE, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_prestat_get(entry_handle(e), buf);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_prestat_get(entry_handle(e), buf);
  return ERRNO_NOSYS;
}

export function fd_prestat_dir_name(fd: u32, path: u32, path_len: u32): u16 {
  const e = fd_entry(fd);
  if (e == 0 || !entry_is_preopen(e)) return ERRNO_BADF;
  if (!in_app(path, path_len, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) {
    // node:wasi (uvwasi) answers ENOBUFS for a buffer shorter than the name;
    // the vfs and wasmtime answer ENAMETOOLONG: one answer whatever the driver.
    const err = host.fd_prestat_dir_name(entry_handle(e), path, path_len);
    return err == ERRNO_NOBUFS ? ERRNO_NAMETOOLONG : err;
  }
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_prestat_dir_name(entry_handle(e), path, path_len);
  return ERRNO_NOSYS;
}
