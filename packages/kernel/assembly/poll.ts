// poll_oneoff: subscriptions name box fds, the host knows host fds.
//
// The kernel owns no space in the app memory, so it translates the fds in
// place in the caller's subscription array for the duration of the host call
// and puts the box fds back before returning. A subscription on an fd that is
// not open is reported at once as an EBADF event, as uvwasi does, and a vfs
// file is always ready; sockets wait in the host, by their host fd; either way poll returns without waiting on the others.

import * as app from "../../abi/assembly/app";
import * as host from "../../abi/assembly/wasi";
import { in_app } from "../../abi/assembly/bounds";
import {
  ERRNO_BADF, ERRNO_FAULT, ERRNO_INVAL, ERRNO_NOSYS, ERRNO_SUCCESS,
  EVENTTYPE_CLOCK, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE, SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
  EVENT_SIZE, EVENT_USERDATA_OFFSET, EVENT_ERROR_OFFSET, EVENT_TYPE_OFFSET,
  SUBSCRIPTION_SIZE, SUBSCRIPTION_USERDATA_OFFSET, SUBSCRIPTION_U_OFFSET,
} from "../../abi/assembly/constants";
import * as clock from "./clock";
import * as net from "./net";
import { DRIVER_HOST, DRIVER_NET, DRIVER_VFS, entry_driver, entry_handle, fd_entry } from "./fdtable";
import { app_size } from "./lookup";

// Within subscription_u: the tag byte, then the payload 8 bytes in (its
// widest member holds u64s); an fd_readwrite payload starts with the fd.
const U_TAG: u32 = 0;
const U_FD: u32 = 8;

function is_fd_subscription(sub: u32): bool {
  const tag = <u8>app.load_u8(sub + SUBSCRIPTION_U_OFFSET + U_TAG);
  return tag == EVENTTYPE_FD_READ || tag == EVENTTYPE_FD_WRITE;
}

/**
 * Writes the events that are known without asking the host: EBADF for fds
 * that are not open, and readiness for vfs files (in memory, always ready;
 * nbytes is reported as 0). Returns how many.
 */
function immediate_events(in_: u32, out: u32, nsubscriptions: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < nsubscriptions; i++) {
    const sub = in_ + i * SUBSCRIPTION_SIZE;
    if (!is_fd_subscription(sub)) continue;
    const e = fd_entry(app.load_u32(sub + SUBSCRIPTION_U_OFFSET + U_FD));
    // Host fds and sockets (the host serves both) wait in the host.
    if (e != 0 && (entry_driver(e) == DRIVER_HOST || entry_driver(e) == DRIVER_NET)) continue;
    const ev = out + n * EVENT_SIZE;
    app.store_u64(ev + EVENT_USERDATA_OFFSET, app.load_u64(sub + SUBSCRIPTION_USERDATA_OFFSET));
    // error is a u16; box:app stores 32 bits, so the type byte (next after it) is written second.
    const error = e == 0 ? ERRNO_BADF : entry_driver(e) == DRIVER_VFS ? ERRNO_SUCCESS : ERRNO_NOSYS;
    app.store_u32(ev + EVENT_ERROR_OFFSET, error);
    app.store_u8(ev + EVENT_TYPE_OFFSET, app.load_u8(sub + SUBSCRIPTION_U_OFFSET + U_TAG));
    // Zero the fd_readwrite payload (nbytes, flags) after the type byte.
    app.store_u64(ev + 16, 0);
    app.store_u64(ev + 24, 0);
    n++;
  }
  return n;
}

// Within subscription_clock (the payload): id u32 at 0, timeout u64 at 8, flags u16 at 24.
const CLOCK_ID: u32 = 8;
const CLOCK_TIMEOUT: u32 = 16;
const CLOCK_FLAGS: u32 = 32;

/** How long until clock subscription `sub` fires, in virtual time; u64.MAX_VALUE for an invalid clock id. */
function remaining(sub: u32): u64 {
  const id = app.load_u32(sub + SUBSCRIPTION_U_OFFSET + CLOCK_ID);
  const timeout = app.load_u64(sub + SUBSCRIPTION_U_OFFSET + CLOCK_TIMEOUT);
  if (id > 3) return u64.MAX_VALUE;
  const flags = app.load_u32(sub + SUBSCRIPTION_U_OFFSET + CLOCK_FLAGS) & 0xffff;
  // u64.MAX_VALUE marks an invalid id, so a valid deadline stops one short of it.
  if (!(flags & SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME)) return timeout == u64.MAX_VALUE ? timeout - 1 : timeout;
  const now = clock.now(id);
  return timeout > now ? (timeout - now == u64.MAX_VALUE ? timeout - now - 1 : timeout - now) : 0;
}

/**
 * With virtual time (--clock fixed) and only clock subscriptions, sleeping is
 * moving time: advance to the earliest deadline and report every
 * subscription due then, at once. Returns false when the host must wait.
 */
function virtual_sleep(in_: u32, out: u32, nsubscriptions: u32, nevents: u32): bool {
  if (clock.virtual_time() == 0) return false;
  for (let i: u32 = 0; i < nsubscriptions; i++) {
    if (<u8>app.load_u8(in_ + i * SUBSCRIPTION_SIZE + SUBSCRIPTION_U_OFFSET + U_TAG) != EVENTTYPE_CLOCK) return false;
  }
  // Deadlines are read once: reading a virtual clock moves it by a tick.
  const left = heap.alloc(<usize>nsubscriptions << 3);
  let earliest = u64.MAX_VALUE;
  for (let i: u32 = 0; i < nsubscriptions; i++) {
    const r = remaining(in_ + i * SUBSCRIPTION_SIZE);
    store<u64>(left + (<usize>i << 3), r);
    if (r < earliest) earliest = r;
  }
  if (earliest != u64.MAX_VALUE) clock.advance(earliest);
  let n: u32 = 0;
  for (let i: u32 = 0; i < nsubscriptions; i++) {
    const r = load<u64>(left + (<usize>i << 3));
    // Due now: those at the earliest deadline; an invalid clock id is an EINVAL event.
    if (r != earliest && r != u64.MAX_VALUE) continue;
    const sub = in_ + i * SUBSCRIPTION_SIZE;
    const ev = out + n * EVENT_SIZE;
    app.store_u64(ev + EVENT_USERDATA_OFFSET, app.load_u64(sub + SUBSCRIPTION_USERDATA_OFFSET));
    app.store_u32(ev + EVENT_ERROR_OFFSET, r == u64.MAX_VALUE ? ERRNO_INVAL : ERRNO_SUCCESS);
    app.store_u8(ev + EVENT_TYPE_OFFSET, EVENTTYPE_CLOCK);
    app.store_u64(ev + 16, 0);
    app.store_u64(ev + 24, 0);
    n++;
  }
  heap.free(left);
  app.store_u32(nevents, n);
  return true;
}

/**
 * Turns absolute clock deadlines into relative timeouts measured on the
 * clock capability (to_host), or puts them back. The deadline is in the box's
 * time (an --clock offset applies to it), and node:wasi waits forever on an
 * absolute MONOTONIC deadline already past. Without a clock capability the
 * stub's now() answers 0 and deadlines go to the host as they are.
 */
function relative_deadlines(in_: u32, nsubscriptions: u32, saved: usize, to_host: bool): void {
  for (let i: u32 = 0; i < nsubscriptions; i++) {
    const sub = in_ + i * SUBSCRIPTION_SIZE;
    const slot = saved + (<usize>i << 4);
    if (to_host) {
      store<u32>(slot + 8, 0);
      if (<u8>app.load_u8(sub + SUBSCRIPTION_U_OFFSET + U_TAG) != EVENTTYPE_CLOCK) continue;
      const flags = app.load_u32(sub + SUBSCRIPTION_U_OFFSET + CLOCK_FLAGS) & 0xffff;
      if (!(flags & SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME)) continue;
      const id = app.load_u32(sub + SUBSCRIPTION_U_OFFSET + CLOCK_ID);
      const now = id <= 3 ? clock.now(id) : 0;
      if (now == 0) continue;
      const timeout = app.load_u64(sub + SUBSCRIPTION_U_OFFSET + CLOCK_TIMEOUT);
      store<u64>(slot, timeout);
      store<u32>(slot + 8, 1);
      app.store_u64(sub + SUBSCRIPTION_U_OFFSET + CLOCK_TIMEOUT, timeout > now ? timeout - now : 0);
      // flags is a u16 followed by padding: clearing ABSTIME leaves the rest as it was
      app.store_u8(sub + SUBSCRIPTION_U_OFFSET + CLOCK_FLAGS, <u32>(flags & ~SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) & 0xff);
    } else if (load<u32>(slot + 8)) {
      app.store_u64(sub + SUBSCRIPTION_U_OFFSET + CLOCK_TIMEOUT, load<u64>(slot));
      const flags = app.load_u8(sub + SUBSCRIPTION_U_OFFSET + CLOCK_FLAGS);
      app.store_u8(sub + SUBSCRIPTION_U_OFFSET + CLOCK_FLAGS, flags | SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    }
  }
}

/** Replaces each fd subscription's box fd by its host fd (to_host) or back. */
function translate(in_: u32, nsubscriptions: u32, saved: usize, to_host: bool): void {
  for (let i: u32 = 0; i < nsubscriptions; i++) {
    const sub = in_ + i * SUBSCRIPTION_SIZE;
    if (!is_fd_subscription(sub)) continue;
    const at = sub + SUBSCRIPTION_U_OFFSET + U_FD;
    if (to_host) {
      const boxFd = app.load_u32(at);
      store<u32>(saved + <usize>(i << 2), boxFd);
      const e = fd_entry(boxFd);
      app.store_u32(at, entry_driver(e) == DRIVER_NET ? net.host_fd(entry_handle(e)) : entry_handle(e));
    } else {
      app.store_u32(at, load<u32>(saved + <usize>(i << 2)));
    }
  }
}

export function poll_oneoff(in_: u32, out: u32, nsubscriptions: u32, nevents: u32): u16 {
  if (nsubscriptions == 0) return ERRNO_INVAL;
  const size = app_size();
  if (
    !in_app(in_, <u64>nsubscriptions * SUBSCRIPTION_SIZE, size) ||
    !in_app(out, <u64>nsubscriptions * EVENT_SIZE, size) ||
    !in_app(nevents, 4, size)
  ) return ERRNO_FAULT;
  // Events known at once are reported at once: poll returns when any is ready.
  const ready = immediate_events(in_, out, nsubscriptions);
  if (ready > 0) {
    app.store_u32(nevents, ready);
    return ERRNO_SUCCESS;
  }
  if (virtual_sleep(in_, out, nsubscriptions, nevents)) return ERRNO_SUCCESS;
  const saved = heap.alloc(<usize>nsubscriptions << 2);
  const deadlines = heap.alloc(<usize>nsubscriptions << 4);
  translate(in_, nsubscriptions, saved, true);
  relative_deadlines(in_, nsubscriptions, deadlines, true);
  const err = host.poll_oneoff(in_, out, nsubscriptions, nevents);
  relative_deadlines(in_, nsubscriptions, deadlines, false);
  translate(in_, nsubscriptions, saved, false);
  heap.free(deadlines);
  heap.free(saved);
  return err;
}
