// The path_* calls of the host-directory driver. Each resolves its path
// inside the mount (host-resolve.ts) and acts on the last name only with
// calls that do not follow it; errnos are wasmtime's on Linux, as the vfs
// answers (create and remove calls look at the last name themselves, as
// rmdir(2), unlink(2) and friends do).

import { constants, fstatSync, linkSync, mkdirSync, openSync, readlinkSync, renameSync, rmdirSync, symlinkSync, unlinkSync, type BigIntStats } from 'node:fs';
import * as R from '@marcotte/abi';
import type { GuestMemory } from './guest-memory.ts';
import { fail } from './host-errno.ts';
import { hostPath, resolve, type Lookup } from './host-resolve.ts';
import { READ_RIGHTS, WRITE_RIGHTS } from './host-rights.ts';
import { writeFilestat } from './host-stat.ts';
import type { HostCall, HostTable } from './host-table.ts';
import { checkTimes, setTimes } from './host-times.ts';

const SLASH = 0x2f;

/** The last component of a path, trailing slashes left out. */
function lastComponent(path: Buffer): string {
  const s = path.toString('latin1').replace(/\/+$/, '');
  return s.slice(s.lastIndexOf('/') + 1);
}

/** open(2) flags for path_open's oflags, rights and fdflags (unknown bits were refused before). */
function openFlags(oflags: number, readable: boolean, writable: boolean, fdflags: number): number {
  let flags = (writable ? (readable ? constants.O_RDWR : constants.O_WRONLY) : constants.O_RDONLY)
    // A FIFO in a mount must not block the box's thread in open(2).
    | constants.O_NONBLOCK | constants.O_NOCTTY;
  if (oflags & R.OFLAGS_CREAT) flags |= constants.O_CREAT;
  if (oflags & R.OFLAGS_EXCL) flags |= constants.O_EXCL;
  if (oflags & R.OFLAGS_TRUNC) flags |= constants.O_TRUNC;
  if (oflags & R.OFLAGS_DIRECTORY) flags |= constants.O_DIRECTORY;
  // APPEND is the driver's (host-fd-calls.ts): never O_APPEND, so that it can be turned off.
  if (fdflags & (R.FDFLAGS_SYNC | R.FDFLAGS_RSYNC)) flags |= constants.O_SYNC;
  else if (fdflags & R.FDFLAGS_DSYNC) flags |= constants.O_DSYNC;
  return flags;
}

export function pathCalls(t: HostTable, mem: GuestMemory): Record<string, HostCall> {
  const path = (ptr: number, len: number): Buffer => mem.copy(ptr, len);
  /** Resolves the path from `fd`, runs `use` on the result, and closes what the walk opened. */
  const lookup = <T>(fd: number, ptr: number, len: number, follow: boolean, nameOnly: boolean, use: (l: Lookup) => T): T => {
    const l = resolve(t.directory(fd), path(ptr, len), follow, nameOnly);
    try {
      return use(l);
    } finally {
      l.release();
    }
  };
  const statOf = (l: Lookup): BigIntStats => (l.name ? l.stat ?? fail(R.ERRNO_NOENT) : fstatSync(l.dir.fd, { bigint: true }));
  const following = (flags: number): boolean => (flags & R.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
  const one = (body: HostCall['body']): HostCall => ({ fds: [0], body });

  return {
    path_open: one((fd: number, dirflags: number, ptr: number, len: number, oflags: number,
      base: bigint, _inheriting: bigint, fdflags: number, opened: number) => {
      // Unknown flag bits are EINVAL, as the vfs answers (node:wasi ignores them).
      if (oflags & ~0xf || fdflags & ~0x1f) fail(R.ERRNO_INVAL);
      const readable = (base & READ_RIGHTS) !== 0n;
      const writable = (base & WRITE_RIGHTS) !== 0n;
      if (oflags & R.OFLAGS_DIRECTORY && writable) fail(R.ERRNO_ISDIR);
      const flags = openFlags(oflags, readable, writable, fdflags);
      const create = (oflags & R.OFLAGS_CREAT) !== 0;
      const { hostFd, hostName } = lookup(fd, ptr, len, following(dirflags), create, (l) => {
        // open(2) with O_CREAT and a trailing slash is EISDIR, whatever the name is.
        if (create && l.trailing) fail(R.ERRNO_ISDIR);
        if (!l.name) {
          // The path names the directory itself ("." or "a/.."): reopen our own fd (through /proc, no symlink of the box's).
          if (create && oflags & R.OFLAGS_EXCL) fail(R.ERRNO_EXIST);
          return { hostFd: openSync(hostPath(l.dir), flags & ~constants.O_CREAT), hostName: l.dir.path };
        }
        if (!l.stat && !create) fail(R.ERRNO_NOENT);
        return {
          hostFd: openSync(hostPath(l.dir, l.name), flags | constants.O_NOFOLLOW, 0o666),
          hostName: Buffer.concat([l.dir.path, Buffer.from('/'), l.name]),
        };
      });
      const dir = fstatSync(hostFd).isDirectory() ? { dir: { fd: hostFd, path: hostName } } : {};
      mem.setU32(opened, t.add({ fd: hostFd, root: t.handle(fd).root, readable, writable, position: 0n, fdflags, ...dir }));
    }),
    path_filestat_get: one((fd: number, flags: number, ptr: number, len: number, buf: number) => {
      lookup(fd, ptr, len, following(flags), false, (l) => writeFilestat(mem, buf, statOf(l)));
    }),
    path_filestat_set_times: one((fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number) => {
      checkTimes(fst);
      lookup(fd, ptr, len, following(flags), false, (l) => {
        statOf(l);
        // The last name is never followed by the host: it was resolved here (-h on a name, the fd's own path otherwise).
        setTimes(hostPath(l.dir, l.name ?? undefined), l.name !== null, BigInt.asUintN(64, atim), BigInt.asUintN(64, mtim), fst);
      });
    }),
    path_create_directory: one((fd: number, ptr: number, len: number) => {
      lookup(fd, ptr, len, false, true, (l) => {
        if (!l.name || l.stat) fail(R.ERRNO_EXIST);
        mkdirSync(hostPath(l.dir, l.name), 0o777);
      });
    }),
    path_remove_directory: one((fd: number, ptr: number, len: number) => {
      lookup(fd, ptr, len, false, true, (l) => {
        // rmdir(2): a path ending in "." is EINVAL, one ending in ".." ENOTEMPTY.
        if (!l.name) return fail(lastComponent(path(ptr, len)) === '.' ? R.ERRNO_INVAL : R.ERRNO_NOTEMPTY);
        if (!(l.stat ?? fail(R.ERRNO_NOENT)).isDirectory()) fail(R.ERRNO_NOTDIR);
        rmdirSync(hostPath(l.dir, l.name));
      });
    }),
    path_unlink_file: one((fd: number, ptr: number, len: number) => {
      lookup(fd, ptr, len, false, true, (l) => {
        if (!l.name) return fail(R.ERRNO_ISDIR);
        if ((l.stat ?? fail(R.ERRNO_NOENT)).isDirectory()) fail(R.ERRNO_ISDIR);
        if (l.trailing) fail(R.ERRNO_NOTDIR);
        unlinkSync(hostPath(l.dir, l.name));
      });
    }),
    path_readlink: one((fd: number, ptr: number, len: number, buf: number, bufLen: number, bufused: number) => {
      lookup(fd, ptr, len, false, false, (l) => {
        if (!l.name) return fail(R.ERRNO_INVAL);
        if (!(l.stat ?? fail(R.ERRNO_NOENT)).isSymbolicLink()) fail(R.ERRNO_INVAL);
        const target = readlinkSync(hostPath(l.dir, l.name), { encoding: 'buffer' });
        // As readlink(2) and wasmtime: a short buffer gets the start of the target.
        const n = Math.min(target.length, bufLen);
        mem.bytes(buf, n).set(target.subarray(0, n));
        mem.setU32(bufused, n);
      });
    }),
    path_symlink: { fds: [2], body: (oldPtr: number, oldLen: number, fd: number, ptr: number, len: number) => {
      const target = path(oldPtr, oldLen);
      if (target.includes(0)) fail(R.ERRNO_INVAL);
      // A link the host would resolve from its own root is refused at creation (EPERM, as
      // wasmtime and the vfs answer a program that creates one).
      if (target[0] === SLASH) fail(R.ERRNO_PERM);
      lookup(fd, ptr, len, false, true, (l) => {
        if (!l.name || l.stat) return fail(R.ERRNO_EXIST);
        if (l.trailing) fail(R.ERRNO_NOENT);
        symlinkSync(target, hostPath(l.dir, l.name));
      });
    } },
    path_link: { fds: [0, 4], mixed: R.ERRNO_XDEV, body: (oldFd: number, oldFlags: number, oldPtr: number, oldLen: number,
      newFd: number, ptr: number, len: number) => {
      lookup(oldFd, oldPtr, oldLen, following(oldFlags), false, (from) => {
        if (!from.name || statOf(from).isDirectory()) return fail(R.ERRNO_PERM);
        const source = hostPath(from.dir, from.name);
        lookup(newFd, ptr, len, false, true, (to) => {
          if (!to.name || to.stat) return fail(R.ERRNO_EXIST);
          if (to.trailing) fail(R.ERRNO_NOENT);
          linkSync(source, hostPath(to.dir, to.name));
        });
      });
    } },
    path_rename: { fds: [0, 3], mixed: R.ERRNO_XDEV, body: (oldFd: number, oldPtr: number, oldLen: number, newFd: number, ptr: number, len: number) => {
      lookup(oldFd, oldPtr, oldLen, false, true, (from) => {
        if (!from.name) return fail(R.ERRNO_BUSY);
        const s = from.stat ?? fail(R.ERRNO_NOENT);
        const source = hostPath(from.dir, from.name);
        lookup(newFd, ptr, len, false, true, (to) => {
          if (!to.name) return fail(R.ERRNO_BUSY);
          // rename(2) with trailing slashes: both must then be directories.
          if ((from.trailing || to.trailing) && !s.isDirectory()) fail(R.ERRNO_NOTDIR);
          if (to.trailing && to.stat && !to.stat.isDirectory()) fail(R.ERRNO_NOTDIR);
          renameSync(source, hostPath(to.dir, to.name));
        });
      });
    } },
  };
}
