// The fd_* calls of the host-directory driver, on the preopens and the fds
// opened beneath them: prestat, close, renumber, fdstat, filestat, read and
// write (at the handle's own offset: node:fs has no lseek), seek, readdir,
// sync, advise, allocate. Errnos are wasmtime's on Linux, as the vfs answers.

import { fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, readdirSync, readSync, writeSync } from 'node:fs';
import * as R from '@marcotte/abi';
import type { GuestMemory } from './guest-memory.ts';
import { fail } from './host-errno.ts';
import { readdir } from './host-readdir.ts';
import { hostPath } from './host-resolve.ts';
import { ALL_RIGHTS, DIRECTORY_RIGHTS, fileRights } from './host-rights.ts';
import { filetypeOf, writeFilestat } from './host-stat.ts';
import type { Handle, HostCall, HostTable } from './host-table.ts';
import { checkTimes, setTimes } from './host-times.ts';

/** The largest file offset (off_t). */
const MAX_OFFSET = (1n << 63n) - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A file offset node:fs can pass on (it takes numbers): past 2^53, EFBIG. */
const offset = (pos: bigint): number => (pos > SAFE ? fail(R.ERRNO_FBIG) : Number(pos));
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);

function read(mem: GuestMemory, h: Handle, iovs: number, count: number, at: bigint | undefined): number {
  let total = 0;
  let pos = at ?? h.position;
  for (const buf of mem.iovecs(iovs, count)) {
    // No host file reaches 2^53 bytes: reading from past there finds the end of the file.
    if (buf.length === 0 || pos > SAFE) continue;
    const n = readSync(h.fd, buf, 0, buf.length, pos);
    total += n;
    pos += BigInt(n);
    if (n < buf.length) break;
  }
  if (at === undefined) h.position = pos;
  return total;
}

function write(mem: GuestMemory, h: Handle, iovs: number, count: number, at: bigint | undefined): number {
  // An append fd writes at the end, fd_pwrite too (as the vfs, and Linux's pwrite). The host fd is
  // never opened O_APPEND, so that fd_fdstat_set_flags can turn append off again.
  const append = (h.fdflags & R.FDFLAGS_APPEND) !== 0;
  let pos = append ? fstatSync(h.fd, { bigint: true }).size : at ?? h.position;
  let total = 0;
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
}

export function fdCalls(t: HostTable, mem: GuestMemory): Record<string, HostCall> {
  const one = (body: HostCall['body']): HostCall => ({ fds: [0], body });
  return {
    fd_prestat_get: one((fd: number, buf: number) => {
      const name = t.handle(fd).preopen ?? fail(R.ERRNO_BADF);
      mem.setU32(buf + R.PRESTAT_TAG_OFFSET, R.PREOPENTYPE_DIR);
      mem.setU32(buf + R.PRESTAT_U_OFFSET, name.length);
    }),
    fd_prestat_dir_name: one((fd: number, ptr: number, len: number) => {
      const name = t.handle(fd).preopen ?? fail(R.ERRNO_BADF);
      // wasmtime: a buffer shorter than the name is ENAMETOOLONG.
      if (len < name.length) fail(R.ERRNO_NAMETOOLONG);
      mem.bytes(ptr, name.length).set(name);
    }),
    fd_close: one((fd: number) => t.close(fd)),
    // The kernel renumbers box fds itself and never asks; one of ours and one of node:wasi's cannot trade places.
    fd_renumber: { fds: [0, 1], mixed: R.ERRNO_BADF, body: (from: number, to: number) => t.move(from, to) },
    fd_fdstat_get: one((fd: number, buf: number) => {
      const h = t.handle(fd);
      const out = new DataView(new ArrayBuffer(R.FDSTAT_SIZE));
      out.setUint8(R.FDSTAT_FS_FILETYPE_OFFSET, h.dir ? R.FILETYPE_DIRECTORY : filetypeOf(fstatSync(h.fd)));
      out.setUint16(R.FDSTAT_FS_FLAGS_OFFSET, h.fdflags, true);
      out.setBigUint64(R.FDSTAT_FS_RIGHTS_BASE_OFFSET, h.dir ? DIRECTORY_RIGHTS : fileRights(h.readable, h.writable), true);
      out.setBigUint64(R.FDSTAT_FS_RIGHTS_INHERITING_OFFSET, h.dir ? ALL_RIGHTS : 0n, true);
      mem.bytes(buf, R.FDSTAT_SIZE).set(new Uint8Array(out.buffer));
    }),
    fd_fdstat_set_flags: one((fd: number, flags: number) => {
      const h = t.handle(fd);
      if (flags & ~0x1f) fail(R.ERRNO_INVAL);
      // Only APPEND changes what the driver does (as in the vfs); the others are kept for fd_fdstat_get.
      h.fdflags = flags;
    }),
    fd_filestat_get: one((fd: number, buf: number) => writeFilestat(mem, buf, fstatSync(t.handle(fd).fd, { bigint: true }))),
    fd_filestat_set_size: one((fd: number, size: bigint) => {
      const h = t.file(fd, R.ERRNO_BADF);
      // ftruncate(2): a negative length (as an off_t) is EINVAL.
      if (i64(size) < 0n) fail(R.ERRNO_INVAL);
      ftruncateSync(h.fd, offset(size));
    }),
    fd_filestat_set_times: one((fd: number, atim: bigint, mtim: bigint, flags: number) => {
      const h = t.handle(fd);
      checkTimes(flags);
      setTimes(hostPath({ fd: h.fd, path: h.dir?.path ?? Buffer.alloc(0) }), false, u64(atim), u64(mtim), flags);
    }),
    fd_read: one((fd: number, iovs: number, count: number, nread: number) => {
      mem.setU32(nread, read(mem, t.file(fd, R.ERRNO_ISDIR), iovs, count, undefined));
    }),
    fd_pread: one((fd: number, iovs: number, count: number, at: bigint, nread: number) => {
      mem.setU32(nread, read(mem, t.file(fd, R.ERRNO_ISDIR), iovs, count, u64(at)));
    }),
    fd_write: one((fd: number, iovs: number, count: number, nwritten: number) => {
      mem.setU32(nwritten, write(mem, t.file(fd, R.ERRNO_ISDIR), iovs, count, undefined));
    }),
    fd_pwrite: one((fd: number, iovs: number, count: number, at: bigint, nwritten: number) => {
      mem.setU32(nwritten, write(mem, t.file(fd, R.ERRNO_ISDIR), iovs, count, u64(at)));
    }),
    fd_seek: one((fd: number, delta: bigint, whence: number, result: number) => {
      const h = t.file(fd, R.ERRNO_BADF);
      let base: bigint;
      if (whence === R.WHENCE_SET) base = 0n;
      else if (whence === R.WHENCE_CUR) base = h.position;
      else if (whence === R.WHENCE_END) base = fstatSync(h.fd, { bigint: true }).size;
      else return R.ERRNO_INVAL;
      const to = base + i64(delta);
      // lseek(2): before the start, or past what an off_t holds, is EINVAL.
      if (to < 0n || to > MAX_OFFSET) return R.ERRNO_INVAL;
      h.position = to;
      mem.setU64(result, to);
    }),
    fd_tell: one((fd: number, result: number) => mem.setU64(result, t.file(fd, R.ERRNO_BADF).position)),
    fd_advise: one((fd: number, at: bigint, len: bigint, advice: number) => {
      t.file(fd, R.ERRNO_BADF);
      // posix_fadvise(2): a negative offset or length (as an off_t) is EINVAL.
      if (advice > R.ADVICE_NOREUSE || i64(at) < 0n || i64(len) < 0n) fail(R.ERRNO_INVAL);
      // Advice only: Node has no posix_fadvise, and ignoring it changes no answer.
    }),
    fd_allocate: one((fd: number, at: bigint, len: bigint) => {
      const h = t.file(fd, R.ERRNO_BADF);
      if (!h.writable) fail(R.ERRNO_BADF);
      // posix_fallocate(2) as the vfs answers it: a negative offset, an empty or negative length,
      // or an end past what an off_t holds is EINVAL.
      const end = i64(at) + i64(len);
      if (i64(at) < 0n || i64(len) <= 0n || end > MAX_OFFSET) fail(R.ERRNO_INVAL);
      // Its visible effect: the file is at least offset + len long (Node has no fallocate).
      if (fstatSync(h.fd, { bigint: true }).size < end) ftruncateSync(h.fd, offset(end));
    }),
    fd_sync: one((fd: number) => fsyncSync(t.handle(fd).fd)),
    fd_datasync: one((fd: number) => fdatasyncSync(t.handle(fd).fd)),
    fd_readdir: one((fd: number, buf: number, len: number, cookie: bigint, bufused: number) => {
      const h = t.handle(fd);
      const dir = h.dir ?? fail(R.ERRNO_NOTDIR);
      const self = fstatSync(dir.fd, { bigint: true });
      // The mount root's ".." is itself (whichever fd names the root): what lies above a mount is not the box's.
      const atRoot = self.dev === h.root.dev && self.ino === h.root.ino;
      const parent = atRoot ? self : lstatSync(hostPath(dir, Buffer.from('..')), { bigint: true });
      if (cookie === 0n || !h.names) h.names = readdirSync(hostPath(dir), { encoding: 'buffer' });
      mem.setU32(bufused, readdir(mem, dir, h.names, buf, len, u64(cookie), self, parent));
    }),
    // Files and directories are not sockets (as the kernel answers for the vfs's).
    ...Object.fromEntries(['sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown'].map((name) => [name, one((fd: number) => {
      t.handle(fd);
      return R.ERRNO_NOTSOCK;
    })])),
  };
}
