// The host driver: fds the host itself serves (stdio, host preopens and
// whatever is opened beneath them). The handle is the host's fd number; the
// kernel passes the program's own pointers straight to the host import, since
// the host reads memory 0 exactly as it would for the bare program: no copy.

import * as host from "../../abi/assembly/wasi";
import { ERRNO_SUCCESS, FILETYPE_SOCKET_STREAM, PREOPENTYPE_DIR } from "../../abi/assembly/constants";
import { borrow_app, read_borrowed, return_app } from "../../abi/assembly/borrow";
import { is_mount_point } from "./config";
import { DRIVER_HOST, DRIVER_NET, fd_lowest_free, fd_set } from "./fdtable";
import * as net from "./net";

/** Every right defined by preview1 (bits 0-29); the host still enforces its own. */
export const RIGHTS_ALL: u64 = (<u64>1 << 30) - 1;

const PRESTAT_BYTES: u32 = 8;

/** Box fds 0-2 are the host's stdio. */
export function host_register_stdio(): void {
  for (let fd: u32 = 0; fd < 3; fd++) fd_set(fd, DRIVER_HOST, fd, RIGHTS_ALL, RIGHTS_ALL, 0, false);
}

/** The longest preopen name the kernel compares against mount points. */
const NAME_MAX: u32 = 4096;

/**
 * Gives each host preopen (host fds 3, 4, ... until the first that is not a
 * preopened directory, as wasi-libc scans) the lowest free box fd, in host
 * order. With `only_mounts`, a preopen is let in only when its name is a
 * mount point declared at link time: a box with its own filesystem sees the
 * host only where it asked to. Returns how many were registered.
 */
export function host_register_preopens(only_mounts: bool): u32 {
  if (!borrow_app(PRESTAT_BYTES)) return 0;
  const prestat = memory.data(8);
  const name = heap.alloc(NAME_MAX);
  let found: u32 = 0;
  for (let hostFd: u32 = 3; ; hostFd++) {
    firstAfterPreopens = hostFd;
    if (host.fd_prestat_get(hostFd, 0) != ERRNO_SUCCESS) break;
    read_borrowed(prestat, 0, PRESTAT_BYTES);
    if (load<u8>(prestat) != PREOPENTYPE_DIR) break;
    if (only_mounts) {
      const len = load<u32>(prestat, 4);
      if (len > NAME_MAX) continue;
      return_app();
      if (!borrow_app(len < PRESTAT_BYTES ? PRESTAT_BYTES : len)) break;
      const err = host.fd_prestat_dir_name(hostFd, 0, len);
      read_borrowed(name, 0, len);
      return_app();
      if (!borrow_app(PRESTAT_BYTES)) break;
      if (err != ERRNO_SUCCESS || !is_mount_point(name, trim_slashes(name, len))) continue;
    }
    const fd = fd_lowest_free();
    if (fd < 0) break;
    fd_set(<u32>fd, DRIVER_HOST, hostFd, RIGHTS_ALL, RIGHTS_ALL, 0, true);
    found++;
  }
  return_app();
  heap.free(name);
  return found;
}

/** The first host fd after the host's directory preopens: where its listening sockets start. */
let firstAfterPreopens: u32 = 3;

const FDSTAT_BYTES: u32 = 24;

/**
 * Gives each listening socket the host preopened after its directories (as
 * wasmtime --tcplisten and the Node runtime's -p bridge do: SOCKET_STREAM
 * fds, in order) the lowest free box fd. With the net driver linked, the
 * driver adopts them, one per --listen port; without it, the host driver
 * passes sock_* through to them. Returns how many were registered.
 */
export function host_register_sockets(): u32 {
  if (!borrow_app(FDSTAT_BYTES)) return 0;
  const filetype = memory.data(1);
  const viaNet = net.linked() != 0;
  let found: u32 = 0;
  for (let hostFd = firstAfterPreopens; ; hostFd++) {
    if (host.fd_fdstat_get(hostFd, 0) != ERRNO_SUCCESS) break;
    read_borrowed(filetype, 0, 1);
    if (load<u8>(filetype) != FILETYPE_SOCKET_STREAM) break;
    const fd = fd_lowest_free();
    if (fd < 0) break;
    if (viaNet) {
      const h = net.adopt(hostFd);
      if (h < 0) break;
      fd_set(<u32>fd, DRIVER_NET, <u32>h, RIGHTS_ALL, RIGHTS_ALL, 0, false);
    } else {
      fd_set(<u32>fd, DRIVER_HOST, hostFd, RIGHTS_ALL, RIGHTS_ALL, 0, false);
    }
    found++;
  }
  return_app();
  return found;
}

/** "/data/" and "/data" name the same mount point. */
function trim_slashes(name: usize, len: u32): u32 {
  while (len > 1 && load<u8>(name + len - 1) == 0x2f) len--;
  return len;
}

/** Host stdio stays open for the host's own use: closing box fd 1 closes only the box's fd. */
export function host_close(handle: u32): u16 {
  return handle < 3 ? ERRNO_SUCCESS : host.fd_close(handle);
}
