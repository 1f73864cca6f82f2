// Stdio without host fds: what the program writes to fds 1 and 2 goes to a
// callback, what it reads from fd 0 comes from bytes given up front. The
// kernel passes stdio straight through as host fds 0-2, so wrapping the
// host's fd_write and fd_read for those fds is all it takes.

import { ERRNO_FAULT, ERRNO_SUCCESS, IOVEC_BUF_LEN_OFFSET, IOVEC_BUF_OFFSET, IOVEC_SIZE } from '@marcotte/abi';

type Fn = (...a: unknown[]) => unknown;

/** Reads the iovec array at `iovs` (count `n`) as (pointer, length) pairs; null when it leaves memory. */
export function iovecs(view: DataView, iovs: number, n: number): Array<[number, number]> | null {
  if (iovs + n * IOVEC_SIZE > view.byteLength) return null;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const ptr = view.getUint32(iovs + i * IOVEC_SIZE + IOVEC_BUF_OFFSET, true);
    const len = view.getUint32(iovs + i * IOVEC_SIZE + IOVEC_BUF_LEN_OFFSET, true);
    if (ptr + len > view.byteLength) return null;
    out.push([ptr, len]);
  }
  return out;
}

/** fd_write that hands the bytes for fds 1 and 2 to `sink` and passes other fds to `fdWrite`. */
export function captureOutput(fdWrite: Fn, sink: (fd: 1 | 2, bytes: Uint8Array) => void, memory: () => WebAssembly.Memory): Fn {
  return (fd, iovs, count, nwritten) => {
    if (fd !== 1 && fd !== 2) return fdWrite(fd, iovs, count, nwritten);
    const buffer = memory().buffer;
    const view = new DataView(buffer);
    const list = iovecs(view, iovs as number, count as number);
    if (!list || (nwritten as number) + 4 > view.byteLength) return ERRNO_FAULT;
    const total = list.reduce((n, [, len]) => n + len, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const [ptr, len] of list) {
      bytes.set(new Uint8Array(buffer, ptr, len), at);
      at += len;
    }
    if (total > 0) sink(fd, bytes);
    view.setUint32(nwritten as number, total, true);
    return ERRNO_SUCCESS;
  };
}

/** fd_read that serves fd 0 from `input` (then end of file) and passes other fds to `fdRead`. */
export function feedInput(fdRead: Fn, input: Uint8Array, memory: () => WebAssembly.Memory): Fn {
  let offset = 0;
  return (fd, iovs, count, nread) => {
    if (fd !== 0) return fdRead(fd, iovs, count, nread);
    const buffer = memory().buffer;
    const view = new DataView(buffer);
    const list = iovecs(view, iovs as number, count as number);
    if (!list || (nread as number) + 4 > view.byteLength) return ERRNO_FAULT;
    let done = 0;
    for (const [ptr, len] of list) {
      const n = Math.min(len, input.length - offset);
      new Uint8Array(buffer, ptr, n).set(input.subarray(offset, offset + n));
      offset += n;
      done += n;
      if (n < len) break;
    }
    view.setUint32(nread as number, done, true);
    return ERRNO_SUCCESS;
  };
}

/**
 * Puts this process's stdout and stderr back in blocking mode. Node opens a
 * pipe or socket on fd 1/2 non-blocking the first time anything touches
 * process.stdout (libuv's pipe open); the box's thread writes to the same
 * host fds with plain write(2), which then fails with EAGAIN as soon as the
 * reader is slower than the box (`box run cat < big | slow`): bytes lost.
 */
export function blockingStdio(fds: ReadonlyArray<number>): void {
  for (const fd of fds) {
    const stream = fd === 1 ? process.stdout : fd === 2 ? process.stderr : undefined;
    const handle = (stream as unknown as { _handle?: { setBlocking?: (on: boolean) => number } } | undefined)?._handle;
    handle?.setBlocking?.(true);
  }
}
