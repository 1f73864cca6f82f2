// The worker's side of the host bridge (box run -p): preview1 socket calls on
// the listening sockets the main thread owns, as a WASI host would serve them
// (socket-bridge.ts carries the bytes). The listeners appear as host fds
// right after the directory preopens, with filetype SOCKET_STREAM, as
// wasmtime --tcplisten presents them; accepted connections get fds from
// CONN_FD_BASE up, where node:wasi never allocates.

import {
  ERRNO_AGAIN, ERRNO_BADF, ERRNO_CONNRESET, ERRNO_FAULT, ERRNO_INVAL, ERRNO_NOTCONN, ERRNO_PIPE, ERRNO_SUCCESS, eventAt,
  EVENTTYPE_CLOCK, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE, FDFLAGS_NONBLOCK, FDSTAT_FS_FILETYPE_OFFSET, FDSTAT_FS_FLAGS_OFFSET,
  FDSTAT_FS_RIGHTS_BASE_OFFSET, FDSTAT_FS_RIGHTS_INHERITING_OFFSET, FILESTAT_FILETYPE_OFFSET, FILESTAT_SIZE, FILETYPE_SOCKET_STREAM,
  RIFLAGS_RECV_PEEK, SDFLAGS_RD, SDFLAGS_WR, subscriptionAt, subscriptionFd, subscriptionTag, writeEvent,
} from '@marcotte/abi';
import { askLowerPoll, clockDue as dueAt } from './host-wait.ts';
import { bridgeEnd, readable, takeBytes, type Conn, type Listener, type SocketChannel } from './socket-bridge.ts';
import { iovecs } from './stdio.ts';

/** How often a poll that also waits on node:wasi's fds (stdin) asks node:wasi again. */
const OTHERS_EVERY_MS = 10;
/** Accepted connections' host fds start here: far above anything node:wasi hands out. */
export const CONN_FD_BASE = 0x4000_0000;
const RIGHTS_ALL = (1n << 30n) - 1n;
const EVENTRWFLAGS_FD_READWRITE_HANGUP = 1;

type HostFn = (...args: never[]) => unknown;

/**
 * Wraps node:wasi's imports with the bridge's sockets. `firstFd` is the
 * first host fd after the directory preopens (node:wasi's fds there are
 * placeholders the wrapper hides). Calls on other fds go to node:wasi.
 */
export function socketImports(
  channel: SocketChannel, firstFd: number, host: Record<string, HostFn>, memory: () => WebAssembly.Memory,
): { imports: Record<string, HostFn>; flush: () => void } {
  const { listeners, conns, drain, flush, post, block } = bridgeEnd(channel);
  const fds = new Map<number, Listener | Conn>(listeners.map((l, i) => [firstFd + i, l]));
  let nextFd = CONN_FD_BASE;
  const view = () => new DataView(memory().buffer);

  /** Copies what is there into the iovecs; returns the count, or a negated errno. */
  const receive = (c: Conn, iovs: number, count: number, peek: boolean): number => {
    if (!readable(c)) {
      if (c.nonblock) return -ERRNO_AGAIN;
      block(() => readable(c));
    }
    if (c.available === 0) return c.errno && !c.readShut ? -c.errno : 0;
    const list = iovecs(view(), iovs, count);
    if (!list) return -ERRNO_FAULT;
    return takeBytes(c, list, new Uint8Array(memory().buffer), peek, post);
  };
  /** The iovecs' bytes in one buffer; null when an iovec leaves memory. */
  const gather = (iovs: number, count: number): Uint8Array<ArrayBuffer> | null => {
    const list = iovecs(view(), iovs, count);
    if (!list) return null;
    const out = new Uint8Array(list.reduce((n, [, len]) => n + len, 0));
    const bytes = new Uint8Array(memory().buffer);
    let at = 0;
    for (const [buf, len] of list) {
      out.set(bytes.subarray(buf, buf + len), at);
      at += len;
    }
    return out;
  };
  /** Sends are buffered by the main thread: they never block. */
  const send = (c: Conn, iovs: number, count: number): number => {
    drain();
    if (c.errno) return -(c.errno === ERRNO_CONNRESET ? ERRNO_CONNRESET : ERRNO_PIPE);
    const bytes = gather(iovs, count);
    if (!bytes) return -ERRNO_FAULT;
    const sent = bytes.length;
    // Transferred, not copied: the buffer (and its length) is gone from here after this.
    if (sent) post({ t: 'send', id: c.id, bytes });
    return sent;
  };
  const conn = (fd: number): Conn | undefined => {
    const s = fds.get(fd);
    return s?.kind === 'conn' ? s : undefined;
  };
  const result = (n: number, at: number): number => {
    if (n < 0) return -n;
    view().setUint32(at, n, true);
    return ERRNO_SUCCESS;
  };

  const wrapped: Record<string, HostFn> = {
    sock_accept: ((fd: number, flags: number, ro: number) => {
      const s = fds.get(fd);
      if (!s) return (host.sock_accept as (...a: number[]) => number)(fd, flags, ro);
      if (s.kind !== 'listener' || (flags & ~FDFLAGS_NONBLOCK) !== 0) return ERRNO_INVAL;
      drain();
      if (s.pending.length === 0) {
        if (s.nonblock) return ERRNO_AGAIN;
        block(() => s.pending.length > 0);
      }
      const c = conns.get(s.pending.shift()!)!;
      c.nonblock = (flags & FDFLAGS_NONBLOCK) !== 0;
      const newFd = nextFd++;
      fds.set(newFd, c);
      view().setUint32(ro, newFd, true);
      return ERRNO_SUCCESS;
    }) as HostFn,
    sock_recv: ((fd: number, iovs: number, count: number, flags: number, roLen: number, roFlags: number) => {
      const s = fds.get(fd);
      if (!s) return (host.sock_recv as (...a: number[]) => number)(fd, iovs, count, flags, roLen, roFlags);
      if (s.kind !== 'conn') return ERRNO_NOTCONN;
      const n = receive(s, iovs, count, (flags & RIFLAGS_RECV_PEEK) !== 0);
      if (n < 0) return -n;
      view().setUint32(roLen, n, true);
      view().setUint16(roFlags, 0, true);
      return ERRNO_SUCCESS;
    }) as HostFn,
    sock_send: ((fd: number, iovs: number, count: number, flags: number, soLen: number) => {
      const s = fds.get(fd);
      if (!s) return (host.sock_send as (...a: number[]) => number)(fd, iovs, count, flags, soLen);
      if (s.kind !== 'conn') return ERRNO_NOTCONN;
      return result(send(s, iovs, count), soLen);
    }) as HostFn,
    sock_shutdown: ((fd: number, how: number) => {
      const s = fds.get(fd);
      if (!s) return (host.sock_shutdown as (...a: number[]) => number)(fd, how);
      if (s.kind !== 'conn') return ERRNO_NOTCONN;
      if (how & SDFLAGS_RD) s.readShut = true;
      if (how & SDFLAGS_WR) post({ t: 'shutdown', id: s.id });
      return ERRNO_SUCCESS;
    }) as HostFn,
    fd_read: ((fd: number, iovs: number, count: number, nread: number) => {
      const c = conn(fd);
      if (!c) return fds.has(fd) ? ERRNO_NOTCONN : (host.fd_read as (...a: number[]) => number)(fd, iovs, count, nread);
      return result(receive(c, iovs, count, false), nread);
    }) as HostFn,
    fd_write: ((fd: number, iovs: number, count: number, nwritten: number) => {
      const c = conn(fd);
      if (!c) return fds.has(fd) ? ERRNO_NOTCONN : (host.fd_write as (...a: number[]) => number)(fd, iovs, count, nwritten);
      return result(send(c, iovs, count), nwritten);
    }) as HostFn,
    fd_close: ((fd: number) => {
      const s = fds.get(fd);
      if (!s) return (host.fd_close as (...a: number[]) => number)(fd);
      fds.delete(fd);
      if (s.kind === 'conn') {
        conns.delete(s.id);
        post({ t: 'close', id: s.id });
      }
      return ERRNO_SUCCESS;
    }) as HostFn,
    fd_fdstat_get: ((fd: number, buf: number) => {
      const s = fds.get(fd);
      if (!s) return (host.fd_fdstat_get as (...a: number[]) => number)(fd, buf);
      const v = view();
      v.setUint8(buf + FDSTAT_FS_FILETYPE_OFFSET, FILETYPE_SOCKET_STREAM);
      v.setUint16(buf + FDSTAT_FS_FLAGS_OFFSET, s.nonblock ? FDFLAGS_NONBLOCK : 0, true);
      v.setBigUint64(buf + FDSTAT_FS_RIGHTS_BASE_OFFSET, RIGHTS_ALL, true);
      v.setBigUint64(buf + FDSTAT_FS_RIGHTS_INHERITING_OFFSET, RIGHTS_ALL, true);
      return ERRNO_SUCCESS;
    }) as HostFn,
    fd_fdstat_set_flags: ((fd: number, flags: number) => {
      const s = fds.get(fd);
      if (!s) return (host.fd_fdstat_set_flags as (...a: number[]) => number)(fd, flags);
      s.nonblock = (flags & FDFLAGS_NONBLOCK) !== 0;
      return ERRNO_SUCCESS;
    }) as HostFn,
    fd_filestat_get: ((fd: number, buf: number) => {
      if (!fds.has(fd)) return (host.fd_filestat_get as (...a: number[]) => number)(fd, buf);
      new Uint8Array(memory().buffer, buf, FILESTAT_SIZE).fill(0);
      view().setUint8(buf + FILESTAT_FILETYPE_OFFSET, FILETYPE_SOCKET_STREAM);
      return ERRNO_SUCCESS;
    }) as HostFn,
    // The placeholders node:wasi holds at the listeners' numbers are not preopens.
    fd_prestat_get: ((fd: number, buf: number) => {
      if (fd >= firstFd && fd < firstFd + channel.listeners) return ERRNO_BADF;
      return (host.fd_prestat_get as (...a: number[]) => number)(fd, buf);
    }) as HostFn,
    poll_oneoff: ((inPtr: number, out: number, n: number, nevents: number) => {
      const v = view();
      let ours = false;
      for (let i = 0; i < n; i++) {
        const sub = subscriptionAt(inPtr, i);
        const tag = subscriptionTag(v, sub);
        if ((tag === EVENTTYPE_FD_READ || tag === EVENTTYPE_FD_WRITE) && fds.has(subscriptionFd(v, sub))) ours = true;
      }
      if (!ours) return (host.poll_oneoff as (...a: number[]) => number)(inPtr, out, n, nevents);
      return poll(inPtr, out, n, nevents);
    }) as HostFn,
  };

  /**
   * poll_oneoff with at least one subscription on a bridge socket: sockets
   * and clocks wait together in Atomics.wait. Subscriptions on node:wasi's
   * own fds (stdin) are asked of node:wasi without waiting, before the first
   * wait and then every OTHERS_EVERY_MS while the box waits.
   */
  function poll(inPtr: number, out: number, n: number, nevents: number): number {
    const v0 = view();
    const start = performance.now();
    let deadline = Infinity;
    const clockDue: number[] = [];
    for (let i = 0; i < n; i++) {
      const sub = subscriptionAt(inPtr, i);
      if (subscriptionTag(v0, sub) !== EVENTTYPE_CLOCK) {
        clockDue.push(Infinity);
        continue;
      }
      // a clock node:wasi does not have ends the wait at once rather than never
      const due = dueAt(v0, sub, start) ?? start;
      clockDue.push(due);
      if (due < deadline) deadline = due;
    }
    const others: number[] = [];
    for (let i = 0; i < n; i++) {
      const sub = subscriptionAt(inPtr, i);
      const tag = subscriptionTag(v0, sub);
      if ((tag === EVENTTYPE_FD_READ || tag === EVENTTYPE_FD_WRITE) && !fds.has(subscriptionFd(v0, sub))) others.push(i);
    }
    let otherEvents: Uint8Array[] = [];
    const ready = (write: boolean): number => {
      const v = view();
      let count = 0;
      const now = performance.now();
      for (let i = 0; i < n; i++) {
        const sub = subscriptionAt(inPtr, i);
        const tag = subscriptionTag(v, sub);
        let error = ERRNO_SUCCESS;
        let nbytes = 0;
        let flags = 0;
        if (tag === EVENTTYPE_CLOCK) {
          if (now < clockDue[i]!) continue;
        } else if (tag === EVENTTYPE_FD_READ || tag === EVENTTYPE_FD_WRITE) {
          const s = fds.get(subscriptionFd(v, sub));
          if (!s) continue;
          if (s?.kind === 'listener') {
            if (tag === EVENTTYPE_FD_WRITE || s.pending.length === 0) continue;
            nbytes = s.pending.length;
          } else if (s?.kind === 'conn') {
            if (tag === EVENTTYPE_FD_READ) {
              if (!readable(s)) continue;
              nbytes = s.available;
              if (s.eof || s.errno) flags = EVENTRWFLAGS_FD_READWRITE_HANGUP;
            } else if (s.errno) {
              error = ERRNO_PIPE;
            }
          }
        } else {
          continue;
        }
        if (write) {
          writeEvent(v, eventAt(out, count), sub, error, BigInt(nbytes), flags);
        }
        count++;
      }
      if (write) {
        for (const e of otherEvents) new Uint8Array(memory().buffer).set(e, eventAt(out, count++));
        v.setUint32(nevents, count, true);
      }
      return count;
    };
    // An error of node:wasi's for its own fds leaves them out, as before; the sockets still answer.
    const askHost = (): Uint8Array[] => {
      const asked = askLowerPoll(host.poll_oneoff as (...a: number[]) => number, memory, inPtr, out, nevents, n, others);
      return typeof asked === 'number' ? [] : asked;
    };
    if (others.length) otherEvents = askHost();
    while (otherEvents.length === 0) {
      const until = others.length ? Math.min(deadline, performance.now() + OTHERS_EVERY_MS) : deadline;
      if (block(() => ready(false) > 0, until)) break;
      if (others.length) otherEvents = askHost();
      if (performance.now() >= deadline) break;
    }
    ready(true);
    return ERRNO_SUCCESS;
  }

  return { imports: wrapped, flush };
}
