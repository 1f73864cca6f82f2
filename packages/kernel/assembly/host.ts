// The host driver: fds the host itself serves (stdio, host preopens and
// whatever is opened beneath them). The handle is the host's fd number; the
// kernel passes the program's own pointers straight to the host import, since
// the host reads memory 0 exactly as it would for the bare program: no copy.

import * as host from "../../abi/assembly/wasi";
import {
  ERRNO_SUCCESS, FILETYPE_SOCKET_STREAM, PREOPENTYPE_DIR, RIGHTS_FD_DATASYNC, RIGHTS_FD_FILESTAT_GET, RIGHTS_FD_READ,
  RIGHTS_FD_SYNC, RIGHTS_FD_WRITE, RIGHTS_POLL_FD_READWRITE, RIGHTS_SOCK_ACCEPT, RIGHTS_SOCK_SHUTDOWN,
} from "../../abi/assembly/constants";
import { borrow_app, read_borrowed, return_app } from "../../abi/assembly/borrow";
import { is_mount_point } from "./config";
import { DRIVER_HOST, DRIVER_NET, fd_lowest_free, fd_set } from "./fdtable";
import * as net from "./net";

/** Every right defined by preview1 (bits 0-29); the host still enforces its own. */
export const RIGHTS_ALL: u64 = (<u64>1 << 30) - 1;

const PRESTAT_BYTES: u32 = 8;

/**
 * Stdio is the user's terminal, pipe or log file: a stream the box reads and
 * writes, never seeks in (which would let it pwrite past --max-output or
 * leave a sparse terabyte), truncates, extends, retimes or advises. The
 * runtime refuses the same calls at its own boundary (host-policy.ts).
 * It holds no directory rights either: path_* and fd_readdir on it answer
 * ENOTCAPABLE, as node:wasi (uvwasi) answers. The socket rights stay so
 * that sock_* on stdio answers ENOTSOCK, as Linux does (sock.ts never
 * passes stdio to the host).
 */
const STDIO_RIGHTS: u64 = RIGHTS_FD_READ | RIGHTS_FD_WRITE | RIGHTS_FD_SYNC | RIGHTS_FD_DATASYNC
  | RIGHTS_FD_FILESTAT_GET | RIGHTS_POLL_FD_READWRITE | RIGHTS_SOCK_SHUTDOWN | RIGHTS_SOCK_ACCEPT;

/** Box fds 0-2 are the host's stdio. */
export function host_register_stdio(): void {
  for (let fd: u32 = 0; fd < 3; fd++) fd_set(fd, DRIVER_HOST, fd, STDIO_RIGHTS, STDIO_RIGHTS, 0, false);
}

/** The longest preopen name the kernel compares against mount points. */
const NAME_MAX: u32 = 4096;

const FDSTAT_BYTES: u32 = 24;

/** Host listening sockets met while scanning preopens, in host order; registered after every directory. */
const MAX_HOST_SOCKETS: u32 = 64;
const hostSockets: usize = memory.data(<i32>(MAX_HOST_SOCKETS * 4), 4);
let hostSocketCount: u32 = 0;

/** True when host fd `hostFd` is a stream socket (the app memory is borrowed for FDSTAT_BYTES). */
function is_host_socket(hostFd: u32): bool {
  const filetype = memory.data(1);
  if (host.fd_fdstat_get(hostFd, 0) != ERRNO_SUCCESS) return false;
  read_borrowed(filetype, 0, 1);
  return load<u8>(filetype) == FILETYPE_SOCKET_STREAM;
}

/**
 * Gives each host preopen (host fds 3, 4, ... until the first that is
 * neither a preopened directory nor a listening socket) the lowest free box
 * fd, in host order. Listening sockets are set aside for
 * host_register_sockets: wasmtime --tcplisten puts them before the
 * directories, the Node runtime's -p bridge after them, and the box always
 * numbers them after every directory, as wasi-libc's preopen scan needs.
 * With `only_mounts`, a preopen is let in only when its name is a mount
 * point declared at link time: a box with its own filesystem sees the host
 * only where it asked to. Returns how many directories were registered.
 */
export function host_register_preopens(only_mounts: bool): u32 {
  if (!borrow_app(FDSTAT_BYTES)) return 0;
  const prestat = memory.data(8);
  const name = heap.alloc(NAME_MAX);
  let found: u32 = 0;
  for (let hostFd: u32 = 3; ; hostFd++) {
    if (host.fd_prestat_get(hostFd, 0) != ERRNO_SUCCESS) {
      if (!is_host_socket(hostFd)) break;
      if (hostSocketCount < MAX_HOST_SOCKETS) {
        store<u32>(hostSockets + (<usize>hostSocketCount << 2), hostFd);
        hostSocketCount++;
      }
      continue;
    }
    read_borrowed(prestat, 0, PRESTAT_BYTES);
    if (load<u8>(prestat) != PREOPENTYPE_DIR) break;
    if (only_mounts) {
      const len = load<u32>(prestat, 4);
      if (len > NAME_MAX) continue;
      return_app();
      if (!borrow_app(len < FDSTAT_BYTES ? FDSTAT_BYTES : len)) break;
      const err = host.fd_prestat_dir_name(hostFd, 0, len);
      read_borrowed(name, 0, len);
      return_app();
      if (!borrow_app(FDSTAT_BYTES)) break;
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

/**
 * Gives each listening socket the host preopened (SOCKET_STREAM fds found
 * by host_register_preopens, in host order) the lowest free box fd. With the
 * net driver linked, the driver adopts them, one per --listen port; without
 * it, the host driver passes sock_* through to them. Returns how many were
 * registered.
 */
export function host_register_sockets(): u32 {
  const viaNet = net.linked() != 0;
  let found: u32 = 0;
  for (let i: u32 = 0; i < hostSocketCount; i++) {
    const hostFd = load<u32>(hostSockets + (<usize>i << 2));
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
  hostSocketCount = 0;
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
