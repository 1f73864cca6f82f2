// Stdin for a box in a worker, when stdin can block (a pipe, a terminal): a
// read(2) in node:wasi would hold the worker's thread until input came, out
// of reach of worker.terminate(), and process exit waits for that thread. So
// the caller's thread reads stdin (process.stdin: non-blocking, in the event
// loop) and hands it over one chunk at a time through a SharedArrayBuffer;
// the box waits for a chunk in Atomics.wait, which terminate() ends.
//
// Reading starts when the box first reads (or polls) stdin, so a box that
// never reads it takes nothing from it; once started, up to a chunk and
// process.stdin's buffer are read ahead of the box, and what is left when
// the run ends is dropped, as with any process that exits before reading all
// of its input.

import { fstatSync } from 'node:fs';
import { tty } from './node-builtins.ts';

/** state (EMPTY, FULL or EOF), then the length of the chunk, then the chunk. */
const STATE = 0;
const LENGTH = 1;
const HEADER = 8;
const CAPACITY = 64 * 1024;
const EMPTY = 0;
const FULL = 1;
const EOF = 2;

/** The caller's side: reads host fd 0 when the box asks and puts each chunk in the channel. */
export class StdinFeed {
  readonly channel = new SharedArrayBuffer(HEADER + CAPACITY);
  private readonly head = new Int32Array(this.channel, 0, 2);
  private reading = false;
  private ended = false;
  private closed = false;
  /** what process.stdin gave and the box has not been handed yet: at most one chunk, stdin is paused meanwhile */
  private pending: Uint8Array = new Uint8Array(0);
  private readonly onData = (chunk: Uint8Array | string) => {
    this.pending = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    process.stdin.pause();
    this.fill();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.fill();
  };

  /**
   * A feed for host fd `fd` when reading it can block: fd 0 as a pipe, a
   * socket or a terminal. Files (and /dev/null) never block and stay host
   * reads, as do other fds (this thread can only share process.stdin).
   */
  static forFd(fd: number): StdinFeed | undefined {
    if (fd !== 0) return undefined;
    try {
      const stat = fstatSync(0);
      return stat.isFIFO() || stat.isSocket() || tty().isatty(0) ? new StdinFeed() : undefined;
    } catch {
      return undefined; // a closed stdin: node:wasi answers EBADF as before
    }
  }

  /** The box has taken the last chunk (or wants its first): hand over the next. */
  want(): void {
    if (this.closed) return;
    if (!this.reading) {
      this.reading = true;
      process.stdin.on('end', this.onEnd);
      process.stdin.on('error', this.onEnd);
      // Flowing mode, paused at each chunk: pause() is what makes process.stdin stop reading its fd.
      process.stdin.on('data', this.onData);
    }
    this.fill();
  }

  private fill(): void {
    if (this.closed || Atomics.load(this.head, STATE) !== EMPTY) return;
    if (this.pending.length === 0) {
      if (this.ended) this.publish(EOF);
      else process.stdin.resume();
      return;
    }
    const n = Math.min(this.pending.length, CAPACITY);
    new Uint8Array(this.channel, HEADER, n).set(this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
    Atomics.store(this.head, LENGTH, n);
    this.publish(FULL);
  }

  private publish(state: number): void {
    Atomics.store(this.head, STATE, state);
    Atomics.notify(this.head, STATE);
  }

  /** The run is over: stop reading, so that stdin no longer holds the process open. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.reading) return;
    process.stdin.off('data', this.onData);
    process.stdin.off('end', this.onEnd);
    process.stdin.off('error', this.onEnd);
    process.stdin.pause();
  }
}

/** The box's side: stdin as the feed hands it over. */
export interface StdinChannel {
  /** something to read, or end of file: a read returns at once */
  ready(): boolean;
  /** bytes available at once (0 at end of file or when not ready) */
  available(): number;
  /** waits until ready() or `ms` have passed (Infinity: no limit) */
  wait(ms: number): void;
  /** up to `max` bytes, waiting for the first; empty at end of file */
  read(max: number): Uint8Array;
}

export function stdinChannel(channel: SharedArrayBuffer, want: () => void): StdinChannel {
  const head = new Int32Array(channel, 0, 2);
  let started = false;
  let offset = 0;
  const start = () => {
    if (started) return;
    started = true;
    want();
  };
  const self: StdinChannel = {
    ready() {
      start();
      return Atomics.load(head, STATE) !== EMPTY;
    },
    available() {
      return Atomics.load(head, STATE) === FULL ? Atomics.load(head, LENGTH) - offset : 0;
    },
    wait(ms) {
      const until = performance.now() + ms;
      while (!self.ready()) {
        const left = until - performance.now();
        if (left <= 0) return;
        Atomics.wait(head, STATE, EMPTY, left === Infinity ? undefined : left);
      }
    },
    read(max) {
      self.wait(Infinity);
      if (Atomics.load(head, STATE) === EOF) return new Uint8Array(0);
      const length = Atomics.load(head, LENGTH);
      const n = Math.min(max, length - offset);
      const bytes = new Uint8Array(channel, HEADER + offset, n).slice();
      offset += n;
      if (offset === length) {
        offset = 0;
        Atomics.store(head, STATE, EMPTY);
        want();
      }
      return bytes;
    },
  };
  return self;
}
