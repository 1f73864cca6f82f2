// The host directories of `box run --dir` (packages/runtime/README.md, "Host
// directories"; SECURITY.md): preopened here and served by this driver, not
// by node:wasi, which follows the host's symlinks out of a mount. It answers
// fd_prestat_get/fd_prestat_dir_name for the preopens, every path_* call
// from them, and the fd_* calls on the fds it opened; paths resolve inside
// the mount (host-resolve.ts) and the host is only ever asked about the last
// component with no-follow calls. Semantics are wasmtime's preview1 (on
// Linux), as the vfs gives them, so a program sees one filesystem in a box.
// Every other call, and every other fd, goes to the lower import object.
//
// Preopens take host fds 3, 4, ... (the kernel's preopen scan asks host fds
// from 3 up); fds opened beneath them are numbered from OPENED_FD_BASE, far
// from what node:wasi hands out and below the socket bridge's CONN_FD_BASE.

import {
  closeSync, constants, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync,
  readdirSync, readlinkSync, readSync, renameSync, rmdirSync, symlinkSync, unlinkSync, writeSync, type BigIntStats,
} from 'node:fs';
import * as abi from '@marcotte/abi';
import { GuestMemory } from './guest-memory.ts';
import { errnoOf, WasiError } from './host-errno.ts';
import { readdir } from './host-readdir.ts';
import { hostPath, resolve, type DirRef, type Lookup } from './host-resolve.ts';
import { filetypeOf, writeFilestat } from './host-stat.ts';
import { setTimes } from './host-times.ts';
import { CONN_FD_BASE } from './socket-host.ts';

export const OPENED_FD_BASE = 0x2000_0000;

type Fn = (...args: never[]) => unknown;

interface Handle {
  /** the open host fd */
  fd: number;
  /** set for a directory: how lookups name it */
  dir?: DirRef;
  /** a preopen's guest name */
  preopen?: Buffer;
  /** the mount's root directory, whose ".." readdir reports as itself */
  root: { dev: bigint; ino: bigint };
  readable: boolean;
  writable: boolean;
  /** the file offset: node:fs has no lseek, so reads and writes pass it */
  position: bigint;
  /** a directory's names as read at cookie 0, so that cookies stay valid while entries go (host-readdir.ts) */
  names?: Buffer[];
  fdflags: number;
}

const R = abi;
/** Every right but the two socket ones (SOCK_SHUTDOWN is bit 28, SOCK_ACCEPT bit 29). */
const ALL_RIGHTS = (1n << 28n) - 1n;
/** What a directory fd can do, as wasmtime reports it (no read, write or seek: those are a file's). */
const DIRECTORY_RIGHTS = R.RIGHTS_PATH_CREATE_DIRECTORY | R.RIGHTS_PATH_CREATE_FILE | R.RIGHTS_PATH_LINK_SOURCE
  | R.RIGHTS_PATH_LINK_TARGET | R.RIGHTS_PATH_OPEN | R.RIGHTS_FD_READDIR | R.RIGHTS_PATH_READLINK | R.RIGHTS_PATH_RENAME_SOURCE
  | R.RIGHTS_PATH_RENAME_TARGET | R.RIGHTS_PATH_SYMLINK | R.RIGHTS_PATH_REMOVE_DIRECTORY | R.RIGHTS_PATH_UNLINK_FILE
  | R.RIGHTS_PATH_FILESTAT_GET | R.RIGHTS_PATH_FILESTAT_SET_TIMES | R.RIGHTS_FD_FILESTAT_GET | R.RIGHTS_FD_FILESTAT_SET_TIMES
  | R.RIGHTS_FD_FDSTAT_SET_FLAGS | R.RIGHTS_FD_SYNC;
/** The largest file offset (off_t). */
const MAX_OFFSET = (1n << 63n) - 1n;
const READ_RIGHTS = R.RIGHTS_FD_READ | R.RIGHTS_FD_READDIR;
const WRITE_RIGHTS = R.RIGHTS_FD_DATASYNC | R.RIGHTS_FD_WRITE | R.RIGHTS_FD_ALLOCATE | R.RIGHTS_FD_FILESTAT_SET_SIZE;
const FILE_RIGHTS = ALL_RIGHTS & ~DIRECTORY_RIGHTS | R.RIGHTS_FD_FILESTAT_GET | R.RIGHTS_FD_FILESTAT_SET_TIMES
  | R.RIGHTS_FD_FDSTAT_SET_FLAGS | R.RIGHTS_FD_SYNC;

const err = (errno: number): never => {
  throw new WasiError(errno);
};

/** The last component of a path, trailing slashes left out. */
function lastComponent(path: Buffer): string {
  const s = path.toString('latin1').replace(/\/+$/, '');
  return s.slice(s.lastIndexOf('/') + 1);
}

/** Each host directory once per guest name, in first-seen order (node:wasi's preopens dedupe the same way). */
export function preopenOrder(dirs: ReadonlyArray<readonly [guest: string, host: string]>): Array<[guest: string, host: string]> {
  return Object.entries(Object.fromEntries(dirs));
}

/**
 * Opens the host directories (a missing one throws, with the path) and
 * returns `lower` with the calls this driver serves wrapped around it, and
 * `close` to release every host fd once the box has ended.
 */
export function hostDirectories(
  dirs: ReadonlyArray<readonly [guest: string, host: string]>, lower: Record<string, Fn>, memory: () => WebAssembly.Memory,
): { imports: Record<string, Fn>; close(): void } {
  const mem = new GuestMemory(memory);
  const table = new Map<number, Handle>();
  const preopens = preopenOrder(dirs);
  const closeAll = (): void => {
    for (const h of table.values()) closeSync(h.fd);
    table.clear();
  };
  try {
    preopens.forEach(([guest, host], i) => {
      const fd = openSync(host, constants.O_RDONLY | constants.O_DIRECTORY);
      table.set(3 + i, { fd, dir: { fd, path: Buffer.from(host) }, preopen: Buffer.from(guest), root: fstatSync(fd, { bigint: true }), readable: true, writable: false, position: 0n, fdflags: 0 });
    });
  } catch (e) {
    closeAll();
    throw e;
  }
  /** Fds this driver answers for, open or not: a closed preopen's number must not reach node:wasi's placeholder. */
  const ours = (fd: number): boolean => (fd >= 3 && fd < 3 + preopens.length) || (fd >= OPENED_FD_BASE && fd < CONN_FD_BASE);
  let nextFd = OPENED_FD_BASE;

  const handle = (fd: number): Handle => table.get(fd) ?? err(R.ERRNO_BADF);
  const directory = (fd: number): DirRef => handle(fd).dir ?? err(R.ERRNO_NOTDIR);
  const file = (fd: number, onDir: number): Handle => {
    const h = handle(fd);
    if (h.dir) err(onDir);
    return h;
  };
  const notSocket = (fd: number): number => (handle(fd), R.ERRNO_NOTSOCK);
  const path = (ptr: number, len: number): Buffer => mem.copy(ptr, len);
  const lookup = <T>(fd: number, ptr: number, len: number, follow: boolean, nameOnly: boolean, use: (l: Lookup) => T): T => {
    const l = resolve(directory(fd), path(ptr, len), follow, nameOnly);
    try {
      return use(l);
    } finally {
      l.release();
    }
  };
  const statOf = (l: Lookup): BigIntStats => (l.name ? l.stat ?? err(R.ERRNO_NOENT) : fstatSync(l.dir.fd, { bigint: true }));
  const checkTimes = (flags: number): void => {
    if (flags & ~0xf) err(R.ERRNO_INVAL);
    if ((flags & R.FSTFLAGS_ATIM && flags & R.FSTFLAGS_ATIM_NOW) || (flags & R.FSTFLAGS_MTIM && flags & R.FSTFLAGS_MTIM_NOW)) err(R.ERRNO_INVAL);
  };

  /** Runs `body` for fd when this driver serves it, else the lower import; errors become errnos. */
  const serve = <A extends unknown[]>(name: string, body: (fd: number, ...rest: A) => number | void) =>
    (fd: number, ...rest: A): unknown => {
      if (!ours(fd)) return (lower[name] as (...a: unknown[]) => unknown)(fd, ...rest);
      try {
        return body(fd, ...rest) ?? R.ERRNO_SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    };

  /** A file offset node:fs can pass on (it takes numbers): past 2^53, EFBIG. */
  const offset = (pos: bigint): number => (pos > BigInt(Number.MAX_SAFE_INTEGER) ? err(R.ERRNO_FBIG) : Number(pos));
  const read = (h: Handle, iovs: number, count: number, at: bigint | undefined): number => {
    let total = 0;
    let pos = at ?? h.position;
    for (const buf of mem.iovecs(iovs, count)) {
      // No host file reaches 2^53 bytes: reading from past there finds the end of the file.
      if (buf.length === 0 || pos > BigInt(Number.MAX_SAFE_INTEGER)) continue;
      const n = readSync(h.fd, buf, 0, buf.length, pos);
      total += n;
      pos += BigInt(n);
      if (n < buf.length) break;
    }
    if (at === undefined) h.position = pos;
    return total;
  };
  const write = (h: Handle, iovs: number, count: number, at: bigint | undefined): number => {
    // An append fd writes at the end, fd_pwrite too (as the vfs, and Linux's pwrite). The host fd is
    // never opened O_APPEND, so that fd_fdstat_set_flags can turn append off again.
    const append = (h.fdflags & R.FDFLAGS_APPEND) !== 0;
    const start = append ? fstatSync(h.fd, { bigint: true }).size : at ?? h.position;
    let total = 0;
    let pos = start;
    for (const buf of mem.iovecs(iovs, count)) {
      if (buf.length === 0) continue;
      const n = writeSync(h.fd, buf, 0, buf.length, offset(pos));
      total += n;
      pos += BigInt(n);
      if (n < buf.length) break;
    }
    // Writing nothing moves nothing, even on an append fd (as the vfs).
    if (at === undefined && total > 0) h.position = pos;
    return total;
  };

  const imports: Record<string, Fn> = {
    ...lower,
    fd_prestat_get: serve('fd_prestat_get', (fd: number, buf: number) => {
      const name = handle(fd).preopen ?? err(R.ERRNO_BADF);
      mem.setU32(buf + R.PRESTAT_TAG_OFFSET, R.PREOPENTYPE_DIR);
      mem.setU32(buf + R.PRESTAT_U_OFFSET, name.length);
    }) as Fn,
    fd_prestat_dir_name: serve('fd_prestat_dir_name', (fd: number, ptr: number, len: number) => {
      const name = handle(fd).preopen ?? err(R.ERRNO_BADF);
      // wasmtime: a buffer shorter than the name is ENAMETOOLONG.
      if (len < name.length) err(R.ERRNO_NAMETOOLONG);
      mem.bytes(ptr, name.length).set(name);
    }) as Fn,
    fd_close: serve('fd_close', (fd: number) => {
      const h = handle(fd);
      table.delete(fd);
      closeSync(h.fd);
    }) as Fn,
    fd_renumber: ((from: number, to: number) => {
      if (!ours(from) && !ours(to)) return (lower.fd_renumber as (...a: unknown[]) => unknown)(from, to);
      const h = table.get(from);
      const target = table.get(to);
      // A host fd of ours and one of node:wasi's cannot trade places; the kernel never asks (it renumbers box fds itself).
      if (!h || !target) return R.ERRNO_BADF;
      if (from !== to) {
        closeSync(target.fd);
        table.set(to, h);
        table.delete(from);
      }
      return R.ERRNO_SUCCESS;
    }) as Fn,
    fd_fdstat_get: serve('fd_fdstat_get', (fd: number, buf: number) => {
      const h = handle(fd);
      const out = new DataView(new ArrayBuffer(R.FDSTAT_SIZE));
      const base = h.dir ? DIRECTORY_RIGHTS
        : FILE_RIGHTS & ~(h.readable ? 0n : R.RIGHTS_FD_READ) & ~(h.writable ? 0n : WRITE_RIGHTS);
      out.setUint8(R.FDSTAT_FS_FILETYPE_OFFSET, h.dir ? R.FILETYPE_DIRECTORY : filetypeOf(fstatSync(h.fd)));
      out.setUint16(R.FDSTAT_FS_FLAGS_OFFSET, h.fdflags, true);
      out.setBigUint64(R.FDSTAT_FS_RIGHTS_BASE_OFFSET, base, true);
      out.setBigUint64(R.FDSTAT_FS_RIGHTS_INHERITING_OFFSET, h.dir ? ALL_RIGHTS : 0n, true);
      mem.bytes(buf, R.FDSTAT_SIZE).set(new Uint8Array(out.buffer));
    }) as Fn,
    fd_fdstat_set_flags: serve('fd_fdstat_set_flags', (fd: number, flags: number) => {
      const h = handle(fd);
      if (flags & ~0x1f) err(R.ERRNO_INVAL);
      // Only APPEND changes what the driver does (as in the vfs); the others are kept for fd_fdstat_get.
      h.fdflags = flags;
    }) as Fn,
    fd_filestat_get: serve('fd_filestat_get', (fd: number, buf: number) => {
      writeFilestat(mem, buf, fstatSync(handle(fd).fd, { bigint: true }));
    }) as Fn,
    fd_filestat_set_size: serve('fd_filestat_set_size', (fd: number, size: bigint) => {
      const h = file(fd, R.ERRNO_BADF);
      // ftruncate(2): a negative length (as an off_t) is EINVAL.
      if (BigInt.asIntN(64, size) < 0n) err(R.ERRNO_INVAL);
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) err(R.ERRNO_FBIG);
      ftruncateSync(h.fd, Number(size));
    }) as Fn,
    fd_filestat_set_times: serve('fd_filestat_set_times', (fd: number, atim: bigint, mtim: bigint, flags: number) => {
      const h = handle(fd);
      checkTimes(flags);
      setTimes(hostPath({ fd: h.fd, path: h.dir?.path ?? Buffer.alloc(0) }), false, BigInt.asUintN(64, atim), BigInt.asUintN(64, mtim), flags);
    }) as Fn,
    fd_read: serve('fd_read', (fd: number, iovs: number, count: number, nread: number) => {
      mem.setU32(nread, read(file(fd, R.ERRNO_ISDIR), iovs, count, undefined));
    }) as Fn,
    fd_pread: serve('fd_pread', (fd: number, iovs: number, count: number, offset: bigint, nread: number) => {
      mem.setU32(nread, read(file(fd, R.ERRNO_ISDIR), iovs, count, BigInt.asUintN(64, offset)));
    }) as Fn,
    fd_write: serve('fd_write', (fd: number, iovs: number, count: number, nwritten: number) => {
      mem.setU32(nwritten, write(file(fd, R.ERRNO_ISDIR), iovs, count, undefined));
    }) as Fn,
    fd_pwrite: serve('fd_pwrite', (fd: number, iovs: number, count: number, offset: bigint, nwritten: number) => {
      mem.setU32(nwritten, write(file(fd, R.ERRNO_ISDIR), iovs, count, BigInt.asUintN(64, offset)));
    }) as Fn,
    fd_seek: serve('fd_seek', (fd: number, offset: bigint, whence: number, result: number) => {
      const h = file(fd, R.ERRNO_BADF);
      let base: bigint;
      if (whence === R.WHENCE_SET) base = 0n;
      else if (whence === R.WHENCE_CUR) base = h.position;
      else if (whence === R.WHENCE_END) base = fstatSync(h.fd, { bigint: true }).size;
      else return R.ERRNO_INVAL;
      const to = base + BigInt.asIntN(64, offset);
      // lseek(2): before the start, or past what an off_t holds, is EINVAL.
      if (to < 0n || to > MAX_OFFSET) return R.ERRNO_INVAL;
      h.position = to;
      mem.setU64(result, to);
    }) as Fn,
    fd_tell: serve('fd_tell', (fd: number, result: number) => {
      mem.setU64(result, file(fd, R.ERRNO_BADF).position);
    }) as Fn,
    fd_advise: serve('fd_advise', (fd: number, offset: bigint, len: bigint, advice: number) => {
      file(fd, R.ERRNO_BADF);
      // posix_fadvise(2): a negative offset or length (as an off_t) is EINVAL.
      if (advice > R.ADVICE_NOREUSE || BigInt.asIntN(64, offset) < 0n || BigInt.asIntN(64, len) < 0n) err(R.ERRNO_INVAL);
      // Advice only: Node has no posix_fadvise, and ignoring it changes no answer.
    }) as Fn,
    fd_allocate: serve('fd_allocate', (fd: number, offset: bigint, len: bigint) => {
      const h = file(fd, R.ERRNO_BADF);
      if (!h.writable) err(R.ERRNO_BADF);
      // posix_fallocate(2) as the vfs answers it: a negative offset, an empty or negative length,
      // or an end past what an off_t holds is EINVAL.
      const end = BigInt.asIntN(64, offset) + BigInt.asIntN(64, len);
      if (BigInt.asIntN(64, offset) < 0n || BigInt.asIntN(64, len) <= 0n || end > MAX_OFFSET) err(R.ERRNO_INVAL);
      if (end > BigInt(Number.MAX_SAFE_INTEGER)) err(R.ERRNO_FBIG);
      // posix_fallocate's visible effect: the file is at least offset + len long (Node has no fallocate).
      if (fstatSync(h.fd, { bigint: true }).size < end) ftruncateSync(h.fd, Number(end));
    }) as Fn,
    fd_sync: serve('fd_sync', (fd: number) => fsyncSync(handle(fd).fd)) as Fn,
    fd_datasync: serve('fd_datasync', (fd: number) => fdatasyncSync(handle(fd).fd)) as Fn,
    fd_readdir: serve('fd_readdir', (fd: number, buf: number, len: number, cookie: bigint, bufused: number) => {
      const h = handle(fd);
      const dir = h.dir ?? err(R.ERRNO_NOTDIR);
      const self = fstatSync(dir.fd, { bigint: true });
      // The mount root's ".." is itself (whichever fd names the root): what lies above a mount is not the box's.
      const atRoot = self.dev === h.root.dev && self.ino === h.root.ino;
      const parent = atRoot ? self : lstatSync(hostPath(dir, Buffer.from('..')), { bigint: true });
      if (cookie === 0n || !h.names) h.names = readdirSync(hostPath(dir), { encoding: 'buffer' });
      mem.setU32(bufused, readdir(mem, dir, h.names, buf, len, BigInt.asUintN(64, cookie), self, parent));
    }) as Fn,

    path_open: serve('path_open', (fd: number, dirflags: number, ptr: number, len: number, oflags: number,
      base: bigint, _inheriting: bigint, fdflags: number, opened: number) => {
      const follow = (dirflags & R.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
      const readable = (base & READ_RIGHTS) !== 0n;
      const writable = (base & WRITE_RIGHTS) !== 0n;
      if (oflags & R.OFLAGS_DIRECTORY && writable) err(R.ERRNO_ISDIR);
      let flags = (writable ? (readable ? constants.O_RDWR : constants.O_WRONLY) : constants.O_RDONLY)
        // A FIFO in a mount must not block the box's thread in open(2).
        | constants.O_NONBLOCK | constants.O_NOCTTY;
      if (oflags & R.OFLAGS_CREAT) flags |= constants.O_CREAT;
      if (oflags & R.OFLAGS_EXCL) flags |= constants.O_EXCL;
      if (oflags & R.OFLAGS_TRUNC) flags |= constants.O_TRUNC;
      if (oflags & R.OFLAGS_DIRECTORY) flags |= constants.O_DIRECTORY;
      if (fdflags & (R.FDFLAGS_SYNC | R.FDFLAGS_RSYNC)) flags |= constants.O_SYNC;
      else if (fdflags & R.FDFLAGS_DSYNC) flags |= constants.O_DSYNC;
      // Unknown flag bits are EINVAL, as the vfs answers (node:wasi ignores them).
      if (oflags & ~0xf || fdflags & ~0x1f) err(R.ERRNO_INVAL);
      const create = (oflags & R.OFLAGS_CREAT) !== 0;
      // open(2) with O_CREAT and a trailing slash is EISDIR, whatever the name is.
      const { hostFd, hostName } = lookup(fd, ptr, len, follow, create, (l) => {
        if (create && l.trailing) err(R.ERRNO_ISDIR);
        if (!l.name) {
          // The path names the directory itself ("." or "a/.."): reopen our own fd (through /proc, no symlink of the box's).
          if (oflags & R.OFLAGS_CREAT && oflags & R.OFLAGS_EXCL) err(R.ERRNO_EXIST);
          return { hostFd: openSync(hostPath(l.dir), flags & ~constants.O_CREAT), hostName: l.dir.path };
        }
        if (!l.stat && !create) err(R.ERRNO_NOENT);
        return { hostFd: openSync(hostPath(l.dir, l.name), flags | constants.O_NOFOLLOW, 0o666), hostName: Buffer.concat([l.dir.path, Buffer.from('/'), l.name]) };
      });
      const isDir = fstatSync(hostFd).isDirectory();
      const at = nextFd++;
      table.set(at, { fd: hostFd, root: handle(fd).root, readable, writable, position: 0n, fdflags, ...(isDir ? { dir: { fd: hostFd, path: hostName } } : {}) });
      mem.setU32(opened, at);
    }) as Fn,
    path_filestat_get: serve('path_filestat_get', (fd: number, flags: number, ptr: number, len: number, buf: number) => {
      lookup(fd, ptr, len, (flags & R.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0, false, (l) => writeFilestat(mem, buf, statOf(l)));
    }) as Fn,
    path_filestat_set_times: serve('path_filestat_set_times', (fd: number, flags: number, ptr: number, len: number,
      atim: bigint, mtim: bigint, fst: number) => {
      checkTimes(fst);
      lookup(fd, ptr, len, (flags & R.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0, false, (l) => {
        statOf(l);
        // The last name is never followed by the host: it was resolved here (-h on a name, the fd's own path otherwise).
        setTimes(hostPath(l.dir, l.name ?? undefined), l.name !== null, BigInt.asUintN(64, atim), BigInt.asUintN(64, mtim), fst);
      });
    }) as Fn,
    path_create_directory: serve('path_create_directory', (fd: number, ptr: number, len: number) => {
      lookup(fd, ptr, len, false, true, (l) => {
        if (!l.name || l.stat) err(R.ERRNO_EXIST);
        mkdirSync(hostPath(l.dir, l.name!), 0o777);
      });
    }) as Fn,
    path_remove_directory: serve('path_remove_directory', (fd: number, ptr: number, len: number) => {
      lookup(fd, ptr, len, false, true, (l) => {
        // rmdir(2): a path ending in "." is EINVAL, one ending in ".." ENOTEMPTY.
        if (!l.name) err(lastComponent(path(ptr, len)) === '.' ? R.ERRNO_INVAL : R.ERRNO_NOTEMPTY);
        const s = l.stat ?? err(R.ERRNO_NOENT);
        if (!s.isDirectory()) err(R.ERRNO_NOTDIR);
        rmdirSync(hostPath(l.dir, l.name!));
      });
    }) as Fn,
    path_unlink_file: serve('path_unlink_file', (fd: number, ptr: number, len: number) => {
      lookup(fd, ptr, len, false, true, (l) => {
        if (!l.name) err(R.ERRNO_ISDIR);
        const s = l.stat ?? err(R.ERRNO_NOENT);
        if (s.isDirectory()) err(R.ERRNO_ISDIR);
        if (l.trailing) err(R.ERRNO_NOTDIR);
        unlinkSync(hostPath(l.dir, l.name!));
      });
    }) as Fn,
    path_readlink: serve('path_readlink', (fd: number, ptr: number, len: number, buf: number, bufLen: number, bufused: number) => {
      lookup(fd, ptr, len, false, false, (l) => {
        if (!l.name) err(R.ERRNO_INVAL);
        const s = l.stat ?? err(R.ERRNO_NOENT);
        if (!s.isSymbolicLink()) err(R.ERRNO_INVAL);
        const target = readlinkSync(hostPath(l.dir, l.name!), { encoding: 'buffer' });
        // As readlink(2) and wasmtime: a short buffer gets the start of the target.
        const n = Math.min(target.length, bufLen);
        mem.bytes(buf, n).set(target.subarray(0, n));
        mem.setU32(bufused, n);
      });
    }) as Fn,
    path_symlink: ((oldPtr: number, oldLen: number, fd: number, ptr: number, len: number) => {
      if (!ours(fd)) return (lower.path_symlink as (...a: unknown[]) => unknown)(oldPtr, oldLen, fd, ptr, len);
      try {
        const target = path(oldPtr, oldLen);
        if (target.includes(0)) err(R.ERRNO_INVAL);
        // A link the host would resolve from its own root is refused at creation, as wasmtime refuses it.
        if (target[0] === 0x2f) err(R.ERRNO_NOTCAPABLE);
        lookup(fd, ptr, len, false, true, (l) => {
          if (!l.name || l.stat) err(R.ERRNO_EXIST);
          if (l.trailing) err(R.ERRNO_NOENT);
          symlinkSync(target, hostPath(l.dir, l.name!));
        });
        return R.ERRNO_SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    }) as Fn,
    path_link: ((oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, ptr: number, len: number) => {
      if (!ours(oldFd) && !ours(newFd)) return (lower.path_link as (...a: unknown[]) => unknown)(oldFd, oldFlags, oldPtr, oldLen, newFd, ptr, len);
      try {
        if (!ours(oldFd) || !ours(newFd)) err(R.ERRNO_XDEV);
        lookup(oldFd, oldPtr, oldLen, (oldFlags & R.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0, false, (from) => {
          const s = statOf(from);
          if (!from.name || s.isDirectory()) err(R.ERRNO_PERM);
          lookup(newFd, ptr, len, false, true, (to) => {
            if (!to.name || to.stat) err(R.ERRNO_EXIST);
            if (to.trailing) err(R.ERRNO_NOENT);
            linkSync(hostPath(from.dir, from.name!), hostPath(to.dir, to.name!));
          });
        });
        return R.ERRNO_SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    }) as Fn,
    path_rename: ((oldFd: number, oldPtr: number, oldLen: number, newFd: number, ptr: number, len: number) => {
      if (!ours(oldFd) && !ours(newFd)) return (lower.path_rename as (...a: unknown[]) => unknown)(oldFd, oldPtr, oldLen, newFd, ptr, len);
      try {
        if (!ours(oldFd) || !ours(newFd)) err(R.ERRNO_XDEV);
        lookup(oldFd, oldPtr, oldLen, false, true, (from) => {
          if (!from.name) err(R.ERRNO_BUSY);
          const s = from.stat ?? err(R.ERRNO_NOENT);
          lookup(newFd, ptr, len, false, true, (to) => {
            if (!to.name) err(R.ERRNO_BUSY);
            // rename(2) with trailing slashes: both must then be directories.
            if ((from.trailing || to.trailing) && !s.isDirectory()) err(R.ERRNO_NOTDIR);
            if (to.trailing && to.stat && !to.stat.isDirectory()) err(R.ERRNO_NOTDIR);
            renameSync(hostPath(from.dir, from.name!), hostPath(to.dir, to.name!));
          });
        });
        return R.ERRNO_SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    }) as Fn,
    poll_oneoff: ((inPtr: number, out: number, n: number, nevents: number) => pollFiles(inPtr, out, n, nevents)) as Fn,
    // Files and directories are not sockets (as the kernel answers for the vfs's).
    sock_accept: serve('sock_accept', (fd: number) => notSocket(fd)) as Fn,
    sock_recv: serve('sock_recv', (fd: number) => notSocket(fd)) as Fn,
    sock_send: serve('sock_send', (fd: number) => notSocket(fd)) as Fn,
    sock_shutdown: serve('sock_shutdown', (fd: number) => notSocket(fd)) as Fn,
  };

  /**
   * poll_oneoff with a subscription on one of our fds: a file or directory is
   * always ready (as in the vfs and on Linux), so those events are answered at once
   * and nothing waits; without one, the lower host polls.
   */
  function pollFiles(inPtr: number, out: number, n: number, nevents: number): unknown {
    try {
      const events: Uint8Array[] = [];
      for (let i = 0; i < n >>> 0; i++) {
        const sub = mem.bytes(inPtr + i * R.SUBSCRIPTION_SIZE, R.SUBSCRIPTION_SIZE);
        const v = new DataView(sub.buffer, sub.byteOffset, sub.length);
        const tag = v.getUint8(R.SUBSCRIPTION_U_TAG_OFFSET);
        if (tag !== R.EVENTTYPE_FD_READ && tag !== R.EVENTTYPE_FD_WRITE) continue;
        const fd = v.getUint32(R.SUBSCRIPTION_U_U_OFFSET + R.SUBSCRIPTION_FD_READWRITE_FILE_DESCRIPTOR_OFFSET, true);
        if (!ours(fd)) continue;
        const h = table.get(fd);
        const e = new DataView(new ArrayBuffer(R.EVENT_SIZE));
        e.setBigUint64(R.EVENT_USERDATA_OFFSET, v.getBigUint64(R.SUBSCRIPTION_USERDATA_OFFSET, true), true);
        e.setUint8(R.EVENT_TYPE_OFFSET, tag);
        // A directory is as ready as a file (poll(2) on Linux, and the vfs), with nothing to read.
        if (!h) e.setUint16(R.EVENT_ERROR_OFFSET, R.ERRNO_BADF, true);
        else if (tag === R.EVENTTYPE_FD_READ && !h.dir) {
          const size = fstatSync(h.fd, { bigint: true }).size;
          e.setBigUint64(R.EVENT_FD_READWRITE_OFFSET + R.EVENT_FD_READWRITE_NBYTES_OFFSET, size > h.position ? size - h.position : 0n, true);
        }
        events.push(new Uint8Array(e.buffer));
      }
      if (events.length === 0) return (lower.poll_oneoff as (...a: unknown[]) => unknown)(inPtr, out, n, nevents);
      events.forEach((e, i) => mem.bytes(out + i * R.EVENT_SIZE, R.EVENT_SIZE).set(e));
      mem.setU32(nevents, events.length);
      return R.ERRNO_SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  return { imports, close: closeAll };
}
