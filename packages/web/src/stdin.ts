// Standard input across the page/worker boundary. The page owns a queue of
// typed bytes; the worker, inside a blocking fd_read, cannot receive
// messages, so the two share one SharedArrayBuffer: a state word the worker
// waits on with Atomics.wait, a length word and a mailbox of bytes.
//
// States: EMPTY (the page may fill the mailbox), FULL (the worker may take
// it), EOF (the page has closed stdin and the mailbox is drained).

import { concat } from '@marcotte/abi';

export const EMPTY = 0;
export const FULL = 1;
export const EOF = 2;

const STATE = 0;
const LENGTH = 1;
const HEADER = 8;
/** Bytes one hand-over moves; a longer write waits for the next one. */
export const MAILBOX = 64 * 1024;

export function createChannel(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER + MAILBOX);
}

/** The page's side: bytes typed (or given up front) wait here until the worker has room. */
export class StdinQueue {
  #chunks: Uint8Array[] = [];
  #ended = false;
  #channel: SharedArrayBuffer | undefined;

  /** Queues text (UTF-8) or bytes for the program's stdin. */
  write(data: string | Uint8Array): void {
    if (this.#ended) throw new Error('stdin is closed');
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (bytes.length) this.#chunks.push(bytes);
    this.pump();
  }

  /** Closes stdin: once the queue is drained the program reads end-of-file. */
  end(): void {
    this.#ended = true;
    this.pump();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** @internal connects the queue to a running box's channel */
  attach(channel: SharedArrayBuffer): void {
    this.#channel = channel;
    this.pump();
  }

  /** @internal everything queued so far, for a worker without shared memory */
  drain(): Uint8Array {
    const all = concat(this.#chunks);
    this.#chunks = [];
    return all;
  }

  /** Moves queued bytes into an empty mailbox; called on every write and after the worker takes a batch. */
  pump(): void {
    if (!this.#channel) return;
    const words = new Int32Array(this.#channel, 0, 2);
    if (Atomics.load(words, STATE) !== EMPTY) return;
    if (this.#chunks.length) {
      const box = new Uint8Array(this.#channel, HEADER, MAILBOX);
      let n = 0;
      while (this.#chunks.length && n < MAILBOX) {
        const chunk = this.#chunks[0]!;
        const take = Math.min(chunk.length, MAILBOX - n);
        box.set(chunk.subarray(0, take), n);
        n += take;
        if (take === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(take);
      }
      Atomics.store(words, LENGTH, n);
      Atomics.store(words, STATE, FULL);
    } else if (this.#ended) {
      Atomics.store(words, STATE, EOF);
    } else {
      return;
    }
    Atomics.notify(words, STATE);
  }
}

/** The worker's side: what fd_read serves from, blocking on the channel when nothing is buffered. */
export interface StdinSource {
  /** Up to `max` bytes; an empty array is end-of-file. Blocks until input or EOF. */
  read(max: number): Uint8Array;
  /** True when read would not block (bytes buffered, a full mailbox or EOF). */
  ready(): boolean;
  /** Waits at most `ms` milliseconds (Infinity: no limit) for ready(). */
  wait(ms: number): void;
}

/** Reads a shared channel; `taken` tells the page the mailbox is empty again. */
export function channelSource(channel: SharedArrayBuffer, taken: () => void): StdinSource {
  const words = new Int32Array(channel, 0, 2);
  let buffered = new Uint8Array(0);
  let eof = false;
  const take = (): void => {
    const state = Atomics.load(words, STATE);
    if (state === FULL) {
      const n = Atomics.load(words, LENGTH);
      buffered = new Uint8Array(channel, HEADER, n).slice();
      Atomics.store(words, STATE, EMPTY);
      taken();
    } else if (state === EOF) {
      eof = true;
    }
  };
  const source: StdinSource = {
    ready() {
      if (buffered.length || eof) return true;
      take();
      return buffered.length > 0 || eof;
    },
    wait(ms) {
      const deadline = performance.now() + ms;
      while (!source.ready()) {
        const left = deadline - performance.now();
        if (left <= 0) return;
        Atomics.wait(words, STATE, EMPTY, left === Infinity ? undefined : left);
      }
    },
    read(max) {
      source.wait(Infinity);
      const out = buffered.subarray(0, max);
      buffered = buffered.subarray(out.length);
      return out;
    },
  };
  return source;
}

/** Stdin given in full before the run (no shared memory): reads it, then end-of-file. */
export function bytesSource(bytes: Uint8Array): StdinSource {
  let rest = bytes;
  return {
    ready: () => true,
    wait: () => {},
    read(max) {
      const out = rest.subarray(0, max);
      rest = rest.subarray(out.length);
      return out;
    },
  };
}

