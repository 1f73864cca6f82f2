// The browser's wasi_snapshot_preview1: the few host functions a box still
// imports once its capabilities serve the rest (DESIGN.md §4). A box reaches
// the host for stdio (fds 0-2, which its kernel passes through), args and
// environ, clocks, random bytes and proc_exit; there is no host filesystem
// and there are no host sockets here, so every other fd is closed (EBADF) and
// every other call is not implemented (ENOSYS). HOST_SUPPORT says which.

import {
  CLOCKID_MONOTONIC, CLOCKID_PROCESS_CPUTIME_ID, CLOCKID_REALTIME, CLOCKID_THREAD_CPUTIME_ID,
  ERRNO_BADF, ERRNO_FAULT, ERRNO_INVAL, ERRNO_NOSYS, ERRNO_SPIPE, ERRNO_SUCCESS,
  EVENT_SIZE, eventAt, EVENTTYPE_CLOCK, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE, FDSTAT_FS_FILETYPE_OFFSET,
  FDSTAT_FS_RIGHTS_BASE_OFFSET, FDSTAT_SIZE, FILETYPE_CHARACTER_DEVICE, FUNCTIONS, IOVEC_BUF_LEN_OFFSET,
  IOVEC_BUF_OFFSET, IOVEC_SIZE, RIGHTS_FD_READ, RIGHTS_FD_WRITE, RIGHTS_POLL_FD_READWRITE, SUBSCRIPTION_SIZE,
  subscriptionAt, subscriptionClock, subscriptionFd, subscriptionTag, writeEvent,
  type Support,
} from '@marcotte/abi';
import type { StdinSource } from './stdin.ts';

type Fn = (...args: never[]) => unknown;

/** proc_exit unwinds the program with this; the worker turns it into the exit code. */
export class ProcExit {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

export interface HostOptions {
  /** argv, argv[0] first */
  args: readonly string[];
  /** the environment as KEY -> VALUE; nothing else is passed in */
  env: Readonly<Record<string, string>>;
  /** the program's memory (memory 0), known once the box is instantiated */
  memory: () => WebAssembly.Memory;
  /** bytes the program wrote to fd 1 or 2 */
  write: (fd: 1 | 2, bytes: Uint8Array) => void;
  stdin: StdinSource;
  /** sleeps the calling thread (poll_oneoff with only clock subscriptions) */
  sleep: (ms: number) => void;
}

const ok: Support = { status: 'supported' };
/** What this host serves; everything absent answers EBADF (fd calls) or ENOSYS. */
export const HOST_SUPPORT: Readonly<Record<string, Support>> = {
  args_get: ok,
  args_sizes_get: ok,
  environ_get: ok,
  environ_sizes_get: ok,
  clock_res_get: { status: 'partial', note: 'answers 1 µs for every clock (browsers coarsen performance.now())' },
  clock_time_get: { status: 'partial', note: 'the CPU-time clocks are the monotonic clock' },
  fd_close: { status: 'partial', note: 'fds 0-2 only; the box kernel owns every other fd' },
  fd_fdstat_get: { status: 'partial', note: 'fds 0-2: character devices, read (0) or write (1, 2) rights' },
  fd_fdstat_set_flags: { status: 'partial', note: 'fds 0-2: accepted and ignored' },
  fd_read: { status: 'partial', note: 'fd 0 only: the page\'s stdin queue; blocks the worker (Atomics.wait), not the page' },
  fd_write: { status: 'partial', note: 'fds 1 and 2 only: to the page\'s onStdout / onStderr' },
  fd_seek: { status: 'partial', note: 'fds 0-2 answer ESPIPE' },
  fd_tell: { status: 'partial', note: 'fds 0-2 answer ESPIPE' },
  fd_prestat_get: { status: 'partial', note: 'no host preopens: always EBADF (end of the preopen list)' },
  fd_prestat_dir_name: { status: 'partial', note: 'no host preopens: always EBADF' },
  poll_oneoff: { status: 'partial', note: 'clock subscriptions, fd_read on fd 0, fd_write on fds 1-2' },
  proc_exit: ok,
  random_get: { status: 'partial', note: 'crypto.getRandomValues, 64 KiB per call at most by the browser: larger buffers are filled in pieces' },
  sched_yield: ok,
};

const STDIO_RIGHTS = [RIGHTS_FD_READ | RIGHTS_POLL_FD_READWRITE, RIGHTS_FD_WRITE | RIGHTS_POLL_FD_READWRITE, RIGHTS_FD_WRITE | RIGHTS_POLL_FD_READWRITE];

const isStdio = (fd: number) => fd >= 0 && fd <= 2;

/** Out-of-bounds pointers answer EFAULT, never trap (DESIGN.md §2). */
class Fault extends Error {}

function nowNs(clock: number): bigint | undefined {
  if (clock === CLOCKID_REALTIME) return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
  if (clock === CLOCKID_MONOTONIC || clock === CLOCKID_PROCESS_CPUTIME_ID || clock === CLOCKID_THREAD_CPUTIME_ID) {
    return BigInt(Math.round(performance.now() * 1e3)) * 1000n;
  }
  return undefined;
}

/** The wasi_snapshot_preview1 import object of the browser host. */
export function createHost(options: HostOptions): Record<string, Fn> {
  const encoder = new TextEncoder();
  const argv = options.args.map((a) => encoder.encode(`${a}\0`));
  const environ = Object.entries(options.env).map(([k, v]) => encoder.encode(`${k}=${v}\0`));

  const view = () => new DataView(options.memory().buffer);
  const bytes = (ptr: number, len: number): Uint8Array => {
    const buffer = options.memory().buffer;
    if (ptr < 0 || len < 0 || ptr + len > buffer.byteLength) throw new Fault();
    return new Uint8Array(buffer, ptr, len);
  };
  const u32 = (ptr: number, v: number) => {
    if (ptr + 4 > options.memory().buffer.byteLength) throw new Fault();
    view().setUint32(ptr, v, true);
  };
  const u64 = (ptr: number, v: bigint) => {
    if (ptr + 8 > options.memory().buffer.byteLength) throw new Fault();
    view().setBigUint64(ptr, v, true);
  };
  /** The iovecs of a call, as views into memory. */
  const iovecs = (iovs: number, count: number): Uint8Array[] => {
    const all = bytes(iovs, count * IOVEC_SIZE);
    const v = new DataView(all.buffer, all.byteOffset, all.byteLength);
    const at = (i: number) => i * IOVEC_SIZE;
    return Array.from({ length: count }, (_, i) => bytes(v.getUint32(at(i) + IOVEC_BUF_OFFSET, true), v.getUint32(at(i) + IOVEC_BUF_LEN_OFFSET, true)));
  };
  const strings = (list: Uint8Array[]) => ({
    sizes: (countPtr: number, sizePtr: number) => {
      u32(countPtr, list.length);
      u32(sizePtr, list.reduce((n, s) => n + s.length, 0));
    },
    get: (ptrs: number, buf: number) => {
      let at = buf;
      list.forEach((s, i) => {
        u32(ptrs + 4 * i, at);
        bytes(at, s.length).set(s);
        at += s.length;
      });
    },
  });
  const args = strings(argv);
  const env = strings(environ);

  // biome-ignore lint/suspicious/noConfusingVoidType: proc_exit and sched_yield's bodies return nothing
  const host: Record<string, (...a: number[]) => void | number> = {
    args_sizes_get: (count, size) => args.sizes(count!, size!),
    args_get: (ptrs, buf) => args.get(ptrs!, buf!),
    environ_sizes_get: (count, size) => env.sizes(count!, size!),
    environ_get: (ptrs, buf) => env.get(ptrs!, buf!),

    fd_write: (fd, iovs, count, nwritten) => {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const parts = iovecs(iovs!, count!);
      let n = 0;
      for (const p of parts) {
        if (p.length) options.write(fd, p.slice());
        n += p.length;
      }
      u32(nwritten!, n);
      return ERRNO_SUCCESS;
    },
    fd_read: (fd, iovs, count, nread) => {
      if (fd !== 0) return ERRNO_BADF;
      const parts = iovecs(iovs!, count!);
      let n = 0;
      // One blocking read, then whatever is already buffered: a terminal read returns one line.
      for (const p of parts) {
        if (!p.length) continue;
        if (n > 0 && !options.stdin.ready()) break;
        const got = options.stdin.read(p.length);
        p.set(got);
        n += got.length;
        if (got.length < p.length) break;
      }
      u32(nread!, n);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_get: (fd, out) => {
      if (!isStdio(fd!)) return ERRNO_BADF;
      const stat = bytes(out!, FDSTAT_SIZE);
      stat.fill(0);
      stat[FDSTAT_FS_FILETYPE_OFFSET] = FILETYPE_CHARACTER_DEVICE;
      u64(out! + FDSTAT_FS_RIGHTS_BASE_OFFSET, STDIO_RIGHTS[fd!]!);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_set_flags: (fd) => (isStdio(fd!) ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_close: (fd) => (isStdio(fd!) ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_seek: (fd) => (isStdio(fd!) ? ERRNO_SPIPE : ERRNO_BADF),
    fd_tell: (fd) => (isStdio(fd!) ? ERRNO_SPIPE : ERRNO_BADF),
    fd_prestat_get: () => ERRNO_BADF,
    fd_prestat_dir_name: () => ERRNO_BADF,

    clock_res_get: (clock, out) => {
      if (nowNs(clock!) === undefined) return ERRNO_INVAL;
      u64(out!, 1000n);
      return ERRNO_SUCCESS;
    },
    clock_time_get: (clock, _precision, out) => {
      const t = nowNs(clock!);
      if (t === undefined) return ERRNO_INVAL;
      u64(out!, t);
      return ERRNO_SUCCESS;
    },
    random_get: (buf, len) => {
      const target = bytes(buf!, len!);
      // getRandomValues refuses views of shared memory and more than 64 KiB at once.
      for (let at = 0; at < target.length; at += 65536) {
        const chunk = new Uint8Array(Math.min(65536, target.length - at));
        crypto.getRandomValues(chunk);
        target.set(chunk, at);
      }
      return ERRNO_SUCCESS;
    },
    proc_exit: (code) => {
      throw new ProcExit(code! >>> 0);
    },
    sched_yield: () => ERRNO_SUCCESS,
    poll_oneoff: (subs, events, count, nevents) => pollOneoff(subs!, events!, count!, nevents!),
  };

  /** Waits for the first subscription to be ready, then reports every ready one. */
  function pollOneoff(subs: number, events: number, count: number, neventsPtr: number): number {
    if (count === 0) return ERRNO_INVAL;
    const all = bytes(subs, count * SUBSCRIPTION_SIZE);
    bytes(events, count * EVENT_SIZE);
    // The subscriptions as a view of their own: `at` counts from their start.
    const sv = new DataView(all.buffer, all.byteOffset, all.byteLength);
    let deadline = Infinity;
    let readsStdin = false;
    // fd_write on stdio, or a subscription this host answers with an error, is ready at once.
    let immediate = false;
    for (let i = 0; i < count; i++) {
      const at = subscriptionAt(0, i);
      const tag = subscriptionTag(sv, at);
      if (tag === EVENTTYPE_CLOCK) {
        const { id, timeout, absolute } = subscriptionClock(sv, at);
        const now = nowNs(id);
        if (now === undefined) {
          immediate = true;
          continue;
        }
        const relative = absolute ? timeout - now : timeout;
        deadline = Math.min(deadline, performance.now() + Math.max(0, Number(relative) / 1e6));
      } else if (tag === EVENTTYPE_FD_READ && subscriptionFd(sv, at) === 0) {
        readsStdin = true;
      } else {
        immediate = true;
      }
    }
    const wait = Math.max(0, deadline - performance.now());
    if (!immediate) {
      if (readsStdin) options.stdin.wait(wait);
      // A sleep may wake a little early (timer rounding): the clock event must be due when it returns.
      else while (performance.now() < deadline) options.sleep(deadline - performance.now());
    }

    let n = 0;
    const ev = view();
    for (let i = 0; i < count; i++) {
      const at = subscriptionAt(0, i);
      const tag = subscriptionTag(sv, at);
      const fd = subscriptionFd(sv, at);
      let error = -1;
      if (tag === EVENTTYPE_CLOCK) {
        if (nowNs(subscriptionClock(sv, at).id) === undefined) error = ERRNO_INVAL;
        else if (performance.now() >= deadline) error = ERRNO_SUCCESS;
      } else if (tag === EVENTTYPE_FD_READ) {
        if (fd !== 0) error = ERRNO_BADF;
        else if (options.stdin.ready()) error = ERRNO_SUCCESS;
      } else if (tag === EVENTTYPE_FD_WRITE) {
        error = fd === 1 || fd === 2 ? ERRNO_SUCCESS : ERRNO_BADF;
      } else {
        error = ERRNO_INVAL;
      }
      if (error < 0) continue;
      writeEvent(ev, eventAt(events, n), subs + at, error);
      n++;
    }
    u32(neventsPtr, n);
    return ERRNO_SUCCESS;
  }

  const imports: Record<string, Fn> = {};
  for (const f of FUNCTIONS) {
    const impl = host[f.name];
    if (!impl) {
      const errno = f.takesFd ? ERRNO_BADF : ERRNO_NOSYS;
      imports[f.name] = () => errno;
      continue;
    }
    imports[f.name] = ((...a: number[]) => {
      try {
        return impl(...a) ?? ERRNO_SUCCESS;
      } catch (e) {
        if (e instanceof Fault) return ERRNO_FAULT;
        throw e;
      }
    }) as Fn;
  }
  return imports;
}
