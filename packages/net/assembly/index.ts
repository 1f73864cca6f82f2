// The net driver: sockets served by the host (wasmtime --tcplisten, or the
// Node runtime's bridge for box run -p), behind the kernel's fd table.
//
// The kernel imports these exports from "box:net", finds the host's
// listening sockets after its directory preopens and gives each one to
// `adopt`; it then calls the rest with net handles and app pointers it has
// bounds-checked. The NONBLOCK flag is forwarded, so the host answers EAGAIN
// for a NONBLOCK fd; a blocking call blocks in the host, and where the host
// answers EAGAIN all the same (wasmtime makes its --tcplisten sockets
// non-blocking) the driver waits in the host's poll_oneoff and tries again.
// What the driver adds is the socket's kind and shutdown state, RECV_WAITALL,
// and the answers preview1 and Linux give for calls on the wrong kind of socket.

import * as app from "../../abi/assembly/app";
import { borrow_app, return_app } from "../../abi/assembly/borrow";
import * as host from "../../abi/assembly/wasi";
import {
  ERRNO_AGAIN, ERRNO_BADF, ERRNO_INVAL, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE, ERRNO_MFILE, ERRNO_NOTCONN, ERRNO_PIPE, ERRNO_SUCCESS,
  FDFLAGS_NONBLOCK, FILESTAT_FILETYPE_OFFSET, FILETYPE_SOCKET_STREAM,
  RIFLAGS_RECV_PEEK, RIFLAGS_RECV_WAITALL, SDFLAGS_RD, SDFLAGS_WR,
} from "../../abi/assembly/constants";
import { port_count } from "./config";
import {
  KIND_LISTENER, KIND_STREAM, SHUT_RD, SHUT_WR, socket, socket_flags, socket_free, socket_host, socket_kind,
  socket_open, socket_set_flags, socket_set_shut, socket_shut,
} from "./sockets";

let adopted: u32 = 0;

/** One subscription (48 bytes), one event (32) and nevents (4), in the borrowed start of the app memory. */
const POLL_BYTES: u32 = 84;

/**
 * Waits in the host until host fd `hostFd` is readable (or writable): the
 * subscription is written at the start of the app memory, lent for the call
 * and put back. False when the host cannot wait (the caller answers EAGAIN).
 */
function wait_for(hostFd: u32, write: bool): bool {
  if (!borrow_app(POLL_BYTES)) return false;
  for (let at: u32 = 0; at < 48; at += 8) app.store_u64(at, 0);
  app.store_u8(8, write ? EVENTTYPE_FD_WRITE : EVENTTYPE_FD_READ);
  app.store_u32(16, hostFd);
  const err = host.poll_oneoff(0, 48, 1, 80);
  return_app();
  return err == ERRNO_SUCCESS;
}

/** A host EAGAIN on a socket the program did not make NONBLOCK: wait, then the caller tries again. */
@inline function again(err: u16, e: usize, write: bool): bool {
  return err == ERRNO_AGAIN && !(socket_flags(e) & FDFLAGS_NONBLOCK) && wait_for(socket_host(e), write);
}

/** 1: the net driver is linked (the linker's stub for an unlinked one answers 0). */
export function linked(): u32 {
  return 1;
}

/**
 * Takes host fd `hostFd` (a listening SOCKET_STREAM) as the next box port in
 * --listen order; returns its handle, or -1 once every declared port has one.
 */
export function adopt(hostFd: u32): i32 {
  if (adopted >= port_count()) return -1;
  const h = socket_open(hostFd, KIND_LISTENER, 0);
  if (h >= 0) adopted++;
  return h;
}

/** The host fd behind a handle (the kernel's poll_oneoff hands it to the host); u32.MAX_VALUE for none. */
export function host_fd(h: u32): u32 {
  const e = socket(h);
  return e == 0 ? u32.MAX_VALUE : socket_host(e);
}

/** A new handle for the connection the host accepted on listener h, or the negated errno. */
export function sock_accept(h: u32, flags: u16, result: u32): i32 {
  const e = socket(h);
  if (e == 0) return -(<i32>ERRNO_BADF);
  // accept(2) on a socket that is not listening: EINVAL.
  if (socket_kind(e) != KIND_LISTENER || (flags & ~FDFLAGS_NONBLOCK) != 0) return -(<i32>ERRNO_INVAL);
  let err = host.sock_accept(socket_host(e), flags, result);
  while (again(err, e, false)) err = host.sock_accept(socket_host(e), flags, result);
  if (err != ERRNO_SUCCESS) return -(<i32>err);
  const hostFd = app.load_u32(result);
  const nh = socket_open(hostFd, KIND_STREAM, flags);
  if (nh < 0) {
    host.fd_close(hostFd);
    return -(<i32>ERRNO_MFILE);
  }
  return nh;
}

/** Zero bytes received, no flags: what a read after the peer's close (or SHUT_RD) reports. */
function received_nothing(ro_datalen: u32, ro_flags: u32): u16 {
  app.store_u32(ro_datalen, 0);
  app.store_u8(ro_flags, 0);
  app.store_u8(ro_flags + 1, 0);
  return ERRNO_SUCCESS;
}

/**
 * RECV_WAITALL: fills every buffer, or stops at the peer's close, an error
 * after some bytes (they are reported), or EAGAIN on a NONBLOCK socket. Each
 * iovec is narrowed in place to its unfilled rest for one host call and put
 * back at once, as the kernel does with poll subscriptions.
 */
function recv_all(e: usize, iovs: u32, count: u32, ro_datalen: u32, ro_flags: u32): u16 {
  const hostFd = socket_host(e);
  let total: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const at = iovs + (i << 3);
    const buf = app.load_u32(at);
    const len = app.load_u32(at + 4);
    let filled: u32 = 0;
    while (filled < len) {
      app.store_u32(at, buf + filled);
      app.store_u32(at + 4, len - filled);
      let err = host.sock_recv(hostFd, at, 1, 0, ro_datalen, ro_flags);
      while (again(err, e, false)) err = host.sock_recv(hostFd, at, 1, 0, ro_datalen, ro_flags);
      app.store_u32(at, buf);
      app.store_u32(at + 4, len);
      if (err != ERRNO_SUCCESS) {
        if (total == 0) return err;
        app.store_u32(ro_datalen, total);
        return ERRNO_SUCCESS;
      }
      const n = app.load_u32(ro_datalen);
      if (n == 0) {
        app.store_u32(ro_datalen, total);
        return ERRNO_SUCCESS;
      }
      filled += n;
      total += n;
    }
  }
  app.store_u32(ro_datalen, total);
  return ERRNO_SUCCESS;
}

export function sock_recv(h: u32, ri_data: u32, ri_data_len: u32, ri_flags: u16, ro_datalen: u32, ro_flags: u32): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  if (socket_kind(e) != KIND_STREAM) return ERRNO_NOTCONN;
  if (ri_flags & ~(RIFLAGS_RECV_PEEK | RIFLAGS_RECV_WAITALL)) return ERRNO_INVAL;
  if (socket_shut(e) & SHUT_RD) return received_nothing(ro_datalen, ro_flags);
  // A peek waits for some bytes, never for all of them (MSG_PEEK | MSG_WAITALL on Linux returns what is there).
  if (ri_flags & RIFLAGS_RECV_WAITALL && !(ri_flags & RIFLAGS_RECV_PEEK)) {
    return recv_all(e, ri_data, ri_data_len, ro_datalen, ro_flags);
  }
  const peek = ri_flags & RIFLAGS_RECV_PEEK;
  let err = host.sock_recv(socket_host(e), ri_data, ri_data_len, peek, ro_datalen, ro_flags);
  while (again(err, e, false)) err = host.sock_recv(socket_host(e), ri_data, ri_data_len, peek, ro_datalen, ro_flags);
  return err;
}

export function sock_send(h: u32, si_data: u32, si_data_len: u32, si_flags: u16, so_datalen: u32): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  if (socket_kind(e) != KIND_STREAM) return ERRNO_NOTCONN;
  if (socket_shut(e) & SHUT_WR) return ERRNO_PIPE;
  let err = host.sock_send(socket_host(e), si_data, si_data_len, si_flags, so_datalen);
  while (again(err, e, true)) err = host.sock_send(socket_host(e), si_data, si_data_len, si_flags, so_datalen);
  return err;
}

export function sock_shutdown(h: u32, how: u8): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  if (how == 0 || (how & ~(SDFLAGS_RD | SDFLAGS_WR)) != 0) return ERRNO_INVAL;
  if (socket_kind(e) != KIND_STREAM) return ERRNO_NOTCONN;
  const err = host.sock_shutdown(socket_host(e), how);
  if (err == ERRNO_SUCCESS) socket_set_shut(e, (how & SDFLAGS_RD ? SHUT_RD : 0) | (how & SDFLAGS_WR ? SHUT_WR : 0));
  return err;
}

/** read(2) on a connection is a recv without flags. */
export function fd_read(h: u32, iovs: u32, iovs_len: u32, nread: u32): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  if (socket_kind(e) != KIND_STREAM) return ERRNO_NOTCONN;
  if (socket_shut(e) & SHUT_RD) {
    app.store_u32(nread, 0);
    return ERRNO_SUCCESS;
  }
  let err = host.fd_read(socket_host(e), iovs, iovs_len, nread);
  while (again(err, e, false)) err = host.fd_read(socket_host(e), iovs, iovs_len, nread);
  return err;
}

/** write(2) on a connection is a send without flags. */
export function fd_write(h: u32, iovs: u32, iovs_len: u32, nwritten: u32): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  if (socket_kind(e) != KIND_STREAM) return ERRNO_NOTCONN;
  if (socket_shut(e) & SHUT_WR) return ERRNO_PIPE;
  let err = host.fd_write(socket_host(e), iovs, iovs_len, nwritten);
  while (again(err, e, true)) err = host.fd_write(socket_host(e), iovs, iovs_len, nwritten);
  return err;
}

export function fd_close(h: u32): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  const err = host.fd_close(socket_host(e));
  socket_free(e);
  return err;
}

/** Filetype and flags; the kernel adds the rights from its table. */
export function fd_fdstat_get(h: u32, buf: u32): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  // filetype (u8), padding, fs_flags (u16) at offset 2
  app.store_u32(buf, <u32>FILETYPE_SOCKET_STREAM | (<u32>socket_flags(e) << 16));
  return ERRNO_SUCCESS;
}

/** Only NONBLOCK means something on a socket; it is forwarded so the host stops blocking. */
export function fd_fdstat_set_flags(h: u32, flags: u16): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  if (flags & ~FDFLAGS_NONBLOCK) return ERRNO_INVAL;
  const err = host.fd_fdstat_set_flags(socket_host(e), flags);
  if (err == ERRNO_SUCCESS) socket_set_flags(e, flags);
  return err;
}

/** A socket's filestat: only its type is known (sizes, times and ids are 0). */
export function fd_filestat_get(h: u32, buf: u32): u16 {
  const e = socket(h);
  if (e == 0) return ERRNO_BADF;
  for (let at: u32 = 0; at < 64; at += 8) app.store_u64(buf + at, 0);
  app.store_u8(buf + FILESTAT_FILETYPE_OFFSET, FILETYPE_SOCKET_STREAM);
  return ERRNO_SUCCESS;
}
