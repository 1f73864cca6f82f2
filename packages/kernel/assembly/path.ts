// path_* calls: resolved by the driver of the directory fd they start from.
// The only other driver, net, serves sockets, which are not directories: ENOTDIR.

import * as app from "../../abi/assembly/app";
import * as host from "../../abi/assembly/wasi";
import * as vfs from "./vfs";
import { in_app } from "../../abi/assembly/bounds";
import {
  ERRNO_FAULT, ERRNO_MFILE, ERRNO_NOTDIR, ERRNO_SUCCESS, ERRNO_XDEV, FILESTAT_SIZE,
  OFLAGS_CREAT, OFLAGS_TRUNC,
  RIGHTS_PATH_CREATE_DIRECTORY, RIGHTS_PATH_CREATE_FILE, RIGHTS_PATH_FILESTAT_GET,
  RIGHTS_PATH_FILESTAT_SET_SIZE, RIGHTS_PATH_FILESTAT_SET_TIMES, RIGHTS_PATH_LINK_SOURCE,
  RIGHTS_PATH_LINK_TARGET, RIGHTS_PATH_OPEN, RIGHTS_PATH_READLINK, RIGHTS_PATH_REMOVE_DIRECTORY,
  RIGHTS_PATH_RENAME_SOURCE, RIGHTS_PATH_RENAME_TARGET, RIGHTS_PATH_SYMLINK, RIGHTS_PATH_UNLINK_FILE,
} from "../../abi/assembly/constants";
import { DRIVER_HOST, DRIVER_VFS, entry_driver, entry_handle, entry_rights_inheriting, fd_lowest_free, fd_set } from "./fdtable";
import { app_size, lookup, lookup_errno } from "./lookup";

export function path_open(
  fd: u32, dirflags: u32, path: u32, path_len: u32, oflags: u16,
  rights_base: u64, rights_inheriting: u64, fdflags: u16, opened: u32,
): u16 {
  let needed = RIGHTS_PATH_OPEN;
  if (oflags & OFLAGS_CREAT) needed |= RIGHTS_PATH_CREATE_FILE;
  if (oflags & OFLAGS_TRUNC) needed |= RIGHTS_PATH_FILESTAT_SET_SIZE;
  const e = lookup(fd, needed);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!in_app(path, path_len, size) || !in_app(opened, 4, size)) return ERRNO_FAULT;
  // Claim the number first so a full table never leaks a host fd.
  const newFd = fd_lowest_free();
  if (newFd < 0) return ERRNO_MFILE;
  // A new fd holds at most what its directory lets it inherit.
  const inheritable = entry_rights_inheriting(e);
  const base = rights_base & inheritable;
  const inheriting = rights_inheriting & inheritable;
  const driver = entry_driver(e);
  let handle: u32 = 0;
  if (driver == DRIVER_HOST) {
    const err = host.path_open(entry_handle(e), dirflags, path, path_len, oflags, base, inheriting, fdflags, opened);
    if (err != ERRNO_SUCCESS) return err;
    handle = app.load_u32(opened);
  } else if (driver == DRIVER_VFS) {
    const h = vfs.path_open(entry_handle(e), dirflags, path, path_len, oflags, base, inheriting, fdflags);
    if (h < 0) return <u16>-h;
    handle = <u32>h;
  } else {
    return ERRNO_NOTDIR;
  }
  fd_set(<u32>newFd, driver, handle, base, inheriting, fdflags, false);
  app.store_u32(opened, <u32>newFd);
  return ERRNO_SUCCESS;
}

export function path_create_directory(fd: u32, path: u32, path_len: u32): u16 {
  const e = lookup(fd, RIGHTS_PATH_CREATE_DIRECTORY);
  if (e == 0) return lookup_errno;
  if (!in_app(path, path_len, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.path_create_directory(entry_handle(e), path, path_len);
  if (entry_driver(e) == DRIVER_VFS) return vfs.path_create_directory(entry_handle(e), path, path_len);
  return ERRNO_NOTDIR;
}

export function path_remove_directory(fd: u32, path: u32, path_len: u32): u16 {
  const e = lookup(fd, RIGHTS_PATH_REMOVE_DIRECTORY);
  if (e == 0) return lookup_errno;
  if (!in_app(path, path_len, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.path_remove_directory(entry_handle(e), path, path_len);
  if (entry_driver(e) == DRIVER_VFS) return vfs.path_remove_directory(entry_handle(e), path, path_len);
  return ERRNO_NOTDIR;
}

export function path_unlink_file(fd: u32, path: u32, path_len: u32): u16 {
  const e = lookup(fd, RIGHTS_PATH_UNLINK_FILE);
  if (e == 0) return lookup_errno;
  if (!in_app(path, path_len, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.path_unlink_file(entry_handle(e), path, path_len);
  if (entry_driver(e) == DRIVER_VFS) return vfs.path_unlink_file(entry_handle(e), path, path_len);
  return ERRNO_NOTDIR;
}

export function path_filestat_get(fd: u32, flags: u32, path: u32, path_len: u32, buf: u32): u16 {
  const e = lookup(fd, RIGHTS_PATH_FILESTAT_GET);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!in_app(path, path_len, size) || !in_app(buf, FILESTAT_SIZE, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.path_filestat_get(entry_handle(e), flags, path, path_len, buf);
  if (entry_driver(e) == DRIVER_VFS) return vfs.path_filestat_get(entry_handle(e), flags, path, path_len, buf);
  return ERRNO_NOTDIR;
}

export function path_filestat_set_times(
  fd: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u16,
): u16 {
  const e = lookup(fd, RIGHTS_PATH_FILESTAT_SET_TIMES);
  if (e == 0) return lookup_errno;
  if (!in_app(path, path_len, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) {
    return host.path_filestat_set_times(entry_handle(e), flags, path, path_len, atim, mtim, fst_flags);
  }
  if (entry_driver(e) == DRIVER_VFS) return vfs.path_filestat_set_times(entry_handle(e), flags, path, path_len, atim, mtim, fst_flags);
  return ERRNO_NOTDIR;
}

export function path_readlink(fd: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, bufused: u32): u16 {
  const e = lookup(fd, RIGHTS_PATH_READLINK);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!in_app(path, path_len, size) || !in_app(buf, buf_len, size) || !in_app(bufused, 4, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.path_readlink(entry_handle(e), path, path_len, buf, buf_len, bufused);
  if (entry_driver(e) == DRIVER_VFS) return vfs.path_readlink(entry_handle(e), path, path_len, buf, buf_len, bufused);
  return ERRNO_NOTDIR;
}

export function path_symlink(old_path: u32, old_path_len: u32, fd: u32, new_path: u32, new_path_len: u32): u16 {
  const e = lookup(fd, RIGHTS_PATH_SYMLINK);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!in_app(old_path, old_path_len, size) || !in_app(new_path, new_path_len, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.path_symlink(old_path, old_path_len, entry_handle(e), new_path, new_path_len);
  if (entry_driver(e) == DRIVER_VFS) return vfs.path_symlink(old_path, old_path_len, entry_handle(e), new_path, new_path_len);
  return ERRNO_NOTDIR;
}

export function path_link(
  old_fd: u32, old_flags: u32, old_path: u32, old_path_len: u32,
  new_fd: u32, new_path: u32, new_path_len: u32,
): u16 {
  const from = lookup(old_fd, RIGHTS_PATH_LINK_SOURCE);
  if (from == 0) return lookup_errno;
  const to = lookup(new_fd, RIGHTS_PATH_LINK_TARGET);
  if (to == 0) return lookup_errno;
  const size = app_size();
  if (!in_app(old_path, old_path_len, size) || !in_app(new_path, new_path_len, size)) return ERRNO_FAULT;
  // A link never crosses drivers, as link(2) never crosses filesystems.
  if (entry_driver(from) != entry_driver(to)) return ERRNO_XDEV;
  if (entry_driver(from) == DRIVER_HOST) {
    return host.path_link(entry_handle(from), old_flags, old_path, old_path_len, entry_handle(to), new_path, new_path_len);
  }
  if (entry_driver(from) == DRIVER_VFS) {
    return vfs.path_link(entry_handle(from), old_flags, old_path, old_path_len, entry_handle(to), new_path, new_path_len);
  }
  return ERRNO_NOTDIR;
}

export function path_rename(fd: u32, old_path: u32, old_path_len: u32, new_fd: u32, new_path: u32, new_path_len: u32): u16 {
  const from = lookup(fd, RIGHTS_PATH_RENAME_SOURCE);
  if (from == 0) return lookup_errno;
  const to = lookup(new_fd, RIGHTS_PATH_RENAME_TARGET);
  if (to == 0) return lookup_errno;
  const size = app_size();
  if (!in_app(old_path, old_path_len, size) || !in_app(new_path, new_path_len, size)) return ERRNO_FAULT;
  if (entry_driver(from) != entry_driver(to)) return ERRNO_XDEV;
  if (entry_driver(from) == DRIVER_HOST) {
    return host.path_rename(entry_handle(from), old_path, old_path_len, entry_handle(to), new_path, new_path_len);
  }
  if (entry_driver(from) == DRIVER_VFS) {
    return vfs.path_rename(entry_handle(from), old_path, old_path_len, entry_handle(to), new_path, new_path_len);
  }
  return ERRNO_NOTDIR;
}
