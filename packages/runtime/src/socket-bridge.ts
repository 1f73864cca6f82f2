// The bridge between the worker that runs a box and the main thread that
// owns its listening sockets (box run -p), as seen from the worker.
//
// The main thread accepts connections and reads bytes; it posts them on a
// MessagePort and bumps a counter in a SharedArrayBuffer. A call that must
// wait drains the port with receiveMessageOnPort and sleeps in Atomics.wait
// on the counter: no CPU is burnt, and the main thread never waits for the
// worker, so nothing can deadlock. What the box sends is posted the other way
// and needs no answer. socket-host.ts serves preview1's socket calls on top.

import type { MessagePort } from 'node:worker_threads';
import { workerThreads } from './node-builtins.ts';

/** What the main thread posts to the worker, batched: one message holds every ToBox of one event-loop turn. */
export type ToBox =
  | { t: 'conn'; listener: number; id: number }
  | { t: 'data'; id: number; bytes: Uint8Array }
  | { t: 'eof'; id: number }
  | { t: 'error'; id: number; errno: number };

/** What the worker posts to the main thread, batched: one message holds every FromBox since the last flush. */
export type FromBox =
  | { t: 'send'; id: number; bytes: Uint8Array }
  | { t: 'shutdown'; id: number }
  | { t: 'close'; id: number }
  | { t: 'consumed'; id: number; bytes: number };

/** What the worker needs to reach the bridge: its end of the port, the wake-up counter, and how many listeners. */
export interface SocketChannel {
  port: MessagePort;
  wake: SharedArrayBuffer;
  listeners: number;
}

/** Buffered sends are posted at once past this many bytes. */
const FLUSH_AT = 64 * 1024;
/** The box tells the main thread it has read this much, so that it resumes a paused socket. */
const CONSUMED_STEP = 64 * 1024;

export interface Listener {
  kind: 'listener';
  pending: number[];
  nonblock: boolean;
}

export interface Conn {
  kind: 'conn';
  id: number;
  chunks: Uint8Array[];
  /** bytes of chunks[0] already read */
  offset: number;
  available: number;
  eof: boolean;
  errno: number;
  nonblock: boolean;
  readShut: boolean;
  unacked: number;
}

/** The worker's end: the listeners and connections as the main thread announced them, and the port's traffic. */
export interface BridgeEnd {
  /** by listener index, in preopen order */
  listeners: Listener[];
  /** connections the main thread announced, by id, until the box closes them */
  conns: Map<number, Conn>;
  /** applies whatever the main thread posted */
  drain: () => void;
  /** posts what the box sent since the last flush */
  flush: () => void;
  post: (m: FromBox) => void;
  /** waits until ready() or the deadline (performance.now() ms); false at the deadline */
  block: (ready: () => boolean, deadline?: number) => boolean;
}

export function bridgeEnd(channel: SocketChannel): BridgeEnd {
  const wake = new Int32Array(channel.wake);
  const listeners: Listener[] = Array.from({ length: channel.listeners }, () => ({ kind: 'listener', pending: [], nonblock: false }));
  const conns = new Map<number, Conn>();
  const apply = (m: ToBox): void => {
    if (m.t === 'conn') {
      conns.set(m.id, { kind: 'conn', id: m.id, chunks: [], offset: 0, available: 0, eof: false, errno: 0, nonblock: false, readShut: false, unacked: 0 });
      listeners[m.listener]?.pending.push(m.id);
      return;
    }
    const c = conns.get(m.id);
    if (!c) return;
    if (m.t === 'data') {
      if (c.readShut) return;
      c.chunks.push(m.bytes);
      c.available += m.bytes.length;
    } else if (m.t === 'eof') c.eof = true;
    else c.errno = m.errno;
  };
  const { receiveMessageOnPort } = workerThreads();
  const drain = (): void => {
    for (let m = receiveMessageOnPort(channel.port); m; m = receiveMessageOnPort(channel.port)) {
      for (const one of m.message as ToBox[]) apply(one);
    }
  };
  // What the box sends waits here until the worker is about to wait (or has
  // much to say): one message per batch instead of one per call.
  let outbox: FromBox[] = [];
  let outboxBytes = 0;
  const transfer: ArrayBuffer[] = [];
  const flush = (): void => {
    if (outbox.length === 0) return;
    channel.port.postMessage(outbox, transfer);
    outbox = [];
    outboxBytes = 0;
    transfer.length = 0;
  };
  const post = (m: FromBox): void => {
    outbox.push(m);
    if (m.t === 'send') {
      transfer.push(m.bytes.buffer as ArrayBuffer);
      outboxBytes += m.bytes.length;
      if (outboxBytes >= FLUSH_AT) flush();
    }
  };
  /** Waits until ready() or the deadline (performance.now() ms); false at the deadline. */
  const block = (ready: () => boolean, deadline = Infinity): boolean => {
    flush();
    for (;;) {
      const seen = Atomics.load(wake, 0);
      drain();
      if (ready()) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(wake, 0, seen, left === Infinity ? undefined : left);
    }
  };
  return { listeners, conns, drain, flush, post, block };
}

/** A read on `c` would not wait: bytes, the end, an error, or its read side shut. */
export const readable = (c: Conn): boolean => c.available > 0 || c.eof || c.errno !== 0 || c.readShut;

/**
 * Copies what `c` holds into the iovecs `list` (pointer, length) of
 * `memory`; unless `peek`, consumes it and tells the main thread every
 * CONSUMED_STEP bytes. Returns the count.
 */
export function takeBytes(c: Conn, list: ReadonlyArray<readonly [number, number]>, bytes: Uint8Array, peek: boolean, post: (m: FromBox) => void): number {
  let chunk = 0;
  let offset = c.offset;
  let total = 0;
  for (let i = 0; i < list.length && chunk < c.chunks.length; i++) {
    let [buf, len] = list[i]!;
    while (len > 0 && chunk < c.chunks.length) {
      const src = c.chunks[chunk]!;
      const n = Math.min(len, src.length - offset);
      bytes.set(src.subarray(offset, offset + n), buf);
      buf += n;
      len -= n;
      total += n;
      offset += n;
      if (offset === src.length) {
        chunk++;
        offset = 0;
      }
    }
  }
  if (!peek) {
    c.chunks.splice(0, chunk);
    c.offset = offset;
    c.available -= total;
    c.unacked += total;
    if (c.unacked >= CONSUMED_STEP) {
      post({ t: 'consumed', id: c.id, bytes: c.unacked });
      c.unacked = 0;
    }
  }
  return total;
}
