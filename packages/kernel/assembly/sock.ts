// sock_* calls: served by the net driver, or passed through to the host for
// sockets the host preopened when net is not linked. Anything else (a vfs
// file, stdio whatever the host's stdio is) is not a socket: ENOTSOCK.

import * as app from "../../abi/assembly/app";
import * as host from "../../abi/assembly/wasi";
import * as net from "./net";
import { in_app, iovecs_in_app } from "../../abi/assembly/bounds";
import {
  ERRNO_FAULT, ERRNO_MFILE, ERRNO_NOTSOCK, ERRNO_SUCCESS,
  RIGHTS_FD_READ, RIGHTS_FD_WRITE, RIGHTS_SOCK_ACCEPT, RIGHTS_SOCK_SHUTDOWN,
} from "../../abi/assembly/constants";
import { DRIVER_HOST, DRIVER_NET, entry_driver, entry_handle, entry_rights_inheriting, fd_lowest_free, fd_set } from "./fdtable";
import { app_size, lookup, lookup_errno } from "./lookup";

/** Host fds the host driver may treat as sockets: not stdio, which the box always presents as a terminal or pipe. */
@inline function host_socket(e: usize): bool {
  return entry_driver(e) == DRIVER_HOST && entry_handle(e) >= 3;
}

export function sock_accept(fd: u32, flags: u16, result: u32): u16 {
  const e = lookup(fd, RIGHTS_SOCK_ACCEPT);
  if (e == 0) return lookup_errno;
  if (!in_app(result, 4, app_size())) return ERRNO_FAULT;
  const driver = entry_driver(e);
  if (driver != DRIVER_NET && !host_socket(e)) return ERRNO_NOTSOCK;
  const newFd = fd_lowest_free();
  if (newFd < 0) return ERRNO_MFILE;
  let handle: u32 = 0;
  if (driver == DRIVER_NET) {
    const h = net.sock_accept(entry_handle(e), flags, result);
    if (h < 0) return <u16>-h;
    handle = <u32>h;
  } else {
    const err = host.sock_accept(entry_handle(e), flags, result);
    if (err != ERRNO_SUCCESS) return err;
    handle = app.load_u32(result);
  }
  const inheriting = entry_rights_inheriting(e);
  fd_set(<u32>newFd, driver, handle, inheriting, inheriting, flags, false);
  app.store_u32(result, <u32>newFd);
  return ERRNO_SUCCESS;
}

export function sock_recv(fd: u32, ri_data: u32, ri_data_len: u32, ri_flags: u16, ro_datalen: u32, ro_flags: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_READ);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!iovecs_in_app(ri_data, ri_data_len, size) || !in_app(ro_datalen, 4, size) || !in_app(ro_flags, 2, size)) {
    return ERRNO_FAULT;
  }
  if (entry_driver(e) == DRIVER_NET) return net.sock_recv(entry_handle(e), ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags);
  if (host_socket(e)) return host.sock_recv(entry_handle(e), ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags);
  return ERRNO_NOTSOCK;
}

export function sock_send(fd: u32, si_data: u32, si_data_len: u32, si_flags: u16, so_datalen: u32): u16 {
  const e = lookup(fd, RIGHTS_FD_WRITE);
  if (e == 0) return lookup_errno;
  const size = app_size();
  if (!iovecs_in_app(si_data, si_data_len, size) || !in_app(so_datalen, 4, size)) return ERRNO_FAULT;
  if (entry_driver(e) == DRIVER_NET) return net.sock_send(entry_handle(e), si_data, si_data_len, si_flags, so_datalen);
  if (host_socket(e)) return host.sock_send(entry_handle(e), si_data, si_data_len, si_flags, so_datalen);
  return ERRNO_NOTSOCK;
}

export function sock_shutdown(fd: u32, how: u8): u16 {
  const e = lookup(fd, RIGHTS_SOCK_SHUTDOWN);
  if (e == 0) return lookup_errno;
  if (entry_driver(e) == DRIVER_NET) return net.sock_shutdown(entry_handle(e), how);
  if (host_socket(e)) return host.sock_shutdown(entry_handle(e), how);
  return ERRNO_NOTSOCK;
}
