// The host calls in which a box waits, made to wait where worker.terminate()
// reaches: node:wasi sleeps in uv_sleep and reads stdin with read(2), and a
// thread in either cannot be ended until the call returns (a 15 s sleep
// outlived a 2 s --timeout, and process exit waits for that thread). Here a
// poll_oneoff on clocks and stdin waits in Atomics.wait, and stdin comes
// through the channel its caller fills (stdin-channel.ts). Subscriptions on
// other host fds are still asked of node:wasi, without waiting, between
// short waits, as socket-host.ts does for sockets.

import {
  ERRNO_FAULT, ERRNO_SUCCESS, EVENT_SIZE, eventAt, eventType, EVENTRWFLAGS_FD_READWRITE_HANGUP, EVENTTYPE_CLOCK,
  EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE, subscriptionAt, subscriptionClock, subscriptionFd,
  subscriptionTag, writeClockSubscription, writeEvent,
} from '@marcotte/abi';
import type { StdinChannel } from './stdin-channel.ts';
import { iovecs } from './stdio.ts';

type Fn = (...a: number[]) => number;

/** How often a poll that also waits on other host fds asks node:wasi about them again. */
const OTHERS_EVERY_MS = 10;

/**
 * When clock subscription `sub` is due, on performance.now()'s timeline;
 * undefined for a clock id node:wasi does not have (it answers those).
 */
export function clockDue(view: DataView, sub: number, start: number): number | undefined {
  const { id, timeout, absolute } = subscriptionClock(view, sub);
  if (id > 3) return undefined;
  if (!absolute) return start + Number(timeout) / 1e6;
  if (id === 0) return start + (Number(timeout) / 1e6 - Date.now());
  // node:wasi's other clocks count from uv_hrtime, which process.hrtime reads.
  return start + Number(timeout - process.hrtime.bigint()) / 1e6;
}

/**
 * The events the lower host (node:wasi) reports at once for the
 * subscriptions `others` of the caller's array at `inPtr`: they are copied to
 * its front, followed by a clock already due so that the lower host does not
 * wait, and the array is put back. There is room: at least one subscription
 * is the caller's own (a clock, stdin, a socket). An error of the lower host
 * (EPERM for a regular file it cannot poll) is returned as a number.
 */
export function askLowerPoll(lowerPoll: Fn, memory: () => WebAssembly.Memory, inPtr: number, out: number, nevents: number,
  n: number, others: readonly number[]): Uint8Array[] | number {
  const bytes = new Uint8Array(memory().buffer);
  const saved = bytes.slice(inPtr, subscriptionAt(inPtr, n));
  others.forEach((i, k) => { bytes.copyWithin(subscriptionAt(inPtr, k), subscriptionAt(inPtr, i), subscriptionAt(inPtr, i + 1)); });
  // 1 ms, not 0: node:wasi (uvwasi) runs its loop's timers before it polls fds, so a clock
  // already due would end the call before any fd is looked at (stdout never "writable").
  writeClockSubscription(new DataView(memory().buffer), subscriptionAt(inPtr, others.length), 0xffff_ffff_ffff_ffffn, 1, 1_000_000n);
  const err = lowerPoll(inPtr, out, others.length + 1, nevents);
  const events: Uint8Array[] = [];
  if (err === ERRNO_SUCCESS) {
    const v = new DataView(memory().buffer);
    const count = v.getUint32(nevents, true);
    for (let e = 0; e < count; e++) {
      const at = eventAt(out, e);
      if (eventType(v, at) !== EVENTTYPE_CLOCK) events.push(new Uint8Array(memory().buffer).slice(at, at + EVENT_SIZE));
    }
  }
  new Uint8Array(memory().buffer).set(saved, inPtr);
  return err === ERRNO_SUCCESS ? events : err;
}

/**
 * poll_oneoff and fd_read over node:wasi's, waiting in Atomics.wait; stdin is
 * the channel's when there is one. `regularFiles`: the stdio fds that are
 * regular files or non-terminal devices (`box run > out.txt < /dev/null`),
 * always ready for reading and writing, as POSIX poll and wasmtime answer;
 * node:wasi cannot poll them (EPERM).
 */
export function waitableHost(host: Record<string, unknown>, memory: () => WebAssembly.Memory, stdin?: StdinChannel,
  regularFiles: { has(fd: number): boolean } = new Set()): Record<string, Fn> {
  const hostPoll = host.poll_oneoff as Fn;
  const hostRead = host.fd_read as Fn;
  // Nothing notifies it: a wait on it is a sleep that terminate() can end.
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const view = () => new DataView(memory().buffer);

  const fd_read: Fn = (fd, iovs, count, nread) => {
    if (fd !== 0 || !stdin) return hostRead(fd, iovs, count, nread);
    const v = view();
    const list = iovecs(v, iovs, count);
    if (!list || nread + 4 > v.byteLength) return ERRNO_FAULT;
    let done = 0;
    for (const [ptr, len] of list) {
      if (len === 0) continue;
      // The first bytes are waited for; later iovecs take only what is there already.
      if (done > 0 && stdin.available() === 0) break;
      const bytes = stdin.read(len);
      new Uint8Array(memory().buffer, ptr, bytes.length).set(bytes);
      done += bytes.length;
      if (bytes.length < len) break;
    }
    view().setUint32(nread, done, true);
    return ERRNO_SUCCESS;
  };

  const poll_oneoff: Fn = (inPtr, out, n, nevents) => {
    const v0 = view();
    if (n === 0 || subscriptionAt(inPtr, n) > v0.byteLength) return hostPoll(inPtr, out, n, nevents);
    const start = performance.now();
    const due: number[] = [];
    const others: number[] = [];
    let stdinSub = false;
    for (let i = 0; i < n; i++) {
      const sub = subscriptionAt(inPtr, i);
      const tag = subscriptionTag(v0, sub);
      due.push(Infinity);
      if (tag === EVENTTYPE_CLOCK) {
        const at = clockDue(v0, sub, start);
        if (at === undefined) others.push(i);
        else due[i] = at;
      } else if (tag === EVENTTYPE_FD_READ && stdin && subscriptionFd(v0, sub) === 0) {
        stdinSub = true;
      } else if ((tag === EVENTTYPE_FD_READ || tag === EVENTTYPE_FD_WRITE) && regularFiles.has(subscriptionFd(v0, sub))) {
        due[i] = start; // ready now
      } else {
        others.push(i); // fds, and anything malformed, which node:wasi answers
      }
    }
    // Only node:wasi's fds: nothing here to wait on; node:wasi answers as before.
    if (others.length === n) return hostPoll(inPtr, out, n, nevents);
    const deadline = Math.min(...due);
    /** Writes the events that are ready (with those node:wasi gave); returns how many. */
    const ready = (write: boolean, hostEvents: Uint8Array[]): number => {
      const v = view();
      const now = performance.now();
      let count = 0;
      for (let i = 0; i < n; i++) {
        const sub = subscriptionAt(inPtr, i);
        const tag = subscriptionTag(v, sub);
        let nbytes = 0;
        let flags = 0;
        if (tag === EVENTTYPE_CLOCK) {
          if (!(now >= due[i]!)) continue;
        } else if ((tag === EVENTTYPE_FD_READ || tag === EVENTTYPE_FD_WRITE) && regularFiles.has(subscriptionFd(v, sub))) {
          // always ready; nbytes stays 0 (unknown), as a pipe's would be for writing
        } else if (tag === EVENTTYPE_FD_READ && stdin && subscriptionFd(v, sub) === 0) {
          if (!stdin.ready()) continue;
          nbytes = stdin.available();
          if (nbytes === 0) flags = EVENTRWFLAGS_FD_READWRITE_HANGUP;
        } else {
          continue;
        }
        if (write) {
          writeEvent(v, eventAt(out, count), sub, ERRNO_SUCCESS, BigInt(nbytes), flags);
        }
        count++;
      }
      if (write) {
        for (const e of hostEvents) new Uint8Array(memory().buffer).set(e, eventAt(out, count++));
        v.setUint32(nevents, count, true);
      }
      return count;
    };
    if (eventAt(out, n) > v0.byteLength || nevents + 4 > v0.byteLength) return ERRNO_FAULT;
    let asked = others.length ? askLowerPoll(hostPoll, memory, inPtr, out, nevents, n, others) : [];
    if (typeof asked === 'number') return asked;
    let hostEvents = asked;
    while (hostEvents.length === 0 && ready(false, hostEvents) === 0) {
      const now = performance.now();
      const until = others.length ? Math.min(deadline, now + OTHERS_EVERY_MS) : deadline;
      const left = until - now;
      if (left > 0) {
        if (stdinSub) stdin!.wait(left);
        else Atomics.wait(sleeper, 0, 0, left === Infinity ? undefined : left);
      }
      if (others.length) {
        asked = askLowerPoll(hostPoll, memory, inPtr, out, nevents, n, others);
        if (typeof asked === 'number') return asked;
        hostEvents = asked;
      }
    }
    ready(true, hostEvents);
    return ERRNO_SUCCESS;
  };

  return { poll_oneoff, fd_read };
}
