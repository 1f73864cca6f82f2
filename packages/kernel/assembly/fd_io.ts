// fd_read, fd_write and the other calls that move bytes or positions on an open fd.

import * as host from "../../abi/assembly/wasi";
import * as vfs from "./vfs";
import * as net from "./net";
import { in_app, iovecs_in_app } from "../../abi/assembly/bounds";
import {
  ERRNO_FAULT, ERRNO_INVAL, ERRNO_NOSYS, ERRNO_NOTDIR, ERRNO_SPIPE, WHENCE_CUR,
  RIGHTS_FD_READ, RIGHTS_FD_WRITE, RIGHTS_FD_SEEK, RIGHTS_FD_TELL, RIGHTS_FD_ADVISE,
  RIGHTS_FD_ALLOCATE, RIGHTS_FD_SYNC, RIGHTS_FD_DATASYNC, RIGHTS_FD_READDIR,
} from "../../abi/assembly/constants";
import { DRIVER_HOST, DRIVER_NET, DRIVER_VFS, entry_driver, entry_handle } from "./fdtable";
import { app_size, lookup, lookup_errno } from "./lookup";

export function fd_read(fd: u32, iovs: u32, iovs_len: u32, nread: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_READ);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!iovecs_in_app(iovs, iovs_len, size) || !in_app(nread, 4, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_read(entry_handle(e), iovs, iovs_len, nread);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_read(entry_handle(e), iovs, iovs_len, nread);
  if (entry_driver(e) == DRIVER_NET) return net.fd_read(entry_handle(e), iovs, iovs_len, nread);
  return ERRNO_NOSYS;
}

export function fd_write(fd: u32, iovs: u32, iovs_len: u32, nwritten: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_WRITE);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!iovecs_in_app(iovs, iovs_len, size) || !in_app(nwritten, 4, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_write(entry_handle(e), iovs, iovs_len, nwritten);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_write(entry_handle(e), iovs, iovs_len, nwritten);
  if (entry_driver(e) == DRIVER_NET) return net.fd_write(entry_handle(e), iovs, iovs_len, nwritten);
  return ERRNO_NOSYS;
}

export function fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_READ | RIGHTS_FD_SEEK);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!iovecs_in_app(iovs, iovs_len, size) || !in_app(nread, 4, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_pread(entry_handle(e), iovs, iovs_len, offset, nread);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_pread(entry_handle(e), iovs, iovs_len, offset, nread);
  if (entry_driver(e) == DRIVER_NET) return ERRNO_SPIPE;
  return ERRNO_NOSYS;
}

export function fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_WRITE | RIGHTS_FD_SEEK);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!iovecs_in_app(iovs, iovs_len, size) || !in_app(nwritten, 4, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_pwrite(entry_handle(e), iovs, iovs_len, offset, nwritten);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_pwrite(entry_handle(e), iovs, iovs_len, offset, nwritten);
  if (entry_driver(e) == DRIVER_NET) return ERRNO_SPIPE;
  return ERRNO_NOSYS;
}

export function fd_seek(fd: u32, offset: i64, whence: u8, newoffset: u32): u16 {
  // Asking where we are is a tell, which needs only FD_TELL (as wasmtime and uvwasi do).
  const e = lookup(fd, whence == WHENCE_CUR && offset == 0 ? RIGHTS_FD_TELL : RIGHTS_FD_SEEK);
  if (e == 0) return lookup_errno;
  if (!in_app(newoffset, 8, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_seek(entry_handle(e), offset, whence, newoffset);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_seek(entry_handle(e), offset, whence, newoffset);
  if (entry_driver(e) == DRIVER_NET) return ERRNO_SPIPE;
  return ERRNO_NOSYS;
}

export function fd_tell(fd: u32, offset: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_TELL);
  if (e == 0) return lookup_errno;
  if (!in_app(offset, 8, app_size())) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_tell(entry_handle(e), offset);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_tell(entry_handle(e), offset);
  if (entry_driver(e) == DRIVER_NET) return ERRNO_SPIPE;
  return ERRNO_NOSYS;
}

export function fd_advise(fd: u32, offset: u64, len: u64, advice: u8): u16 {
  const e = lookup(fd, RIGHTS_FD_ADVISE);
  if (e == 0) return lookup_errno;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_advise(entry_handle(e), offset, len, advice);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_advise(entry_handle(e), offset, len, advice);
  if (entry_driver(e) == DRIVER_NET) return ERRNO_SPIPE;
  return ERRNO_NOSYS;
}

export function fd_allocate(fd: u32, offset: u64, len: u64): u16 {
  const e = lookup(fd, RIGHTS_FD_ALLOCATE);
  if (e == 0) return lookup_errno;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_allocate(entry_handle(e), offset, len);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_allocate(entry_handle(e), offset, len);
  return ERRNO_NOSYS;
}

export function fd_sync(fd: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_SYNC);
  if (e == 0) return lookup_errno;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_sync(entry_handle(e));
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_sync(entry_handle(e));
  if (entry_driver(e) == DRIVER_NET) return ERRNO_INVAL; // fsync(2) on a socket
  return ERRNO_NOSYS;
}

export function fd_datasync(fd: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_DATASYNC);
  if (e == 0) return lookup_errno;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_datasync(entry_handle(e));
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_datasync(entry_handle(e));
  if (entry_driver(e) == DRIVER_NET) return ERRNO_INVAL; // fsync(2) on a socket
  return ERRNO_NOSYS;
}

export function fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_READDIR);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!in_app(buf, buf_len, size) || !in_app(bufused, 4, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_HOST) return host.fd_readdir(entry_handle(e), buf, buf_len, cookie, bufused);
  if (entry_driver(e) == DRIVER_VFS) return vfs.fd_readdir(entry_handle(e), buf, buf_len, cookie, bufused);
  if (entry_driver(e) == DRIVER_NET) return ERRNO_NOTDIR;
  return ERRNO_NOSYS;
}
