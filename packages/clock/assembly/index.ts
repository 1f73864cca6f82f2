// clock: the preview1 clocks and random_get, as the host gives them
// (`--clock host`, `--random host`), shifted (`--clock offset:D`), or
// virtual and deterministic (`--clock fixed:T`, `--random seed:N`).
//
// Other capabilities reach it as box:clock: the vfs stamps files with
// `realtime()`, and the kernel's poll_oneoff reads `now(id)` and, in fixed
// mode, sleeps by calling `advance(ns)`, which moves virtual time at once.

import * as app from "../../abi/assembly/app";
import * as host from "../../abi/assembly/wasi";
import { in_app } from "../../abi/assembly/bounds";
import { borrow_app, read_borrowed, return_app } from "../../abi/assembly/borrow";
import {
  CLOCKID_MONOTONIC, CLOCKID_REALTIME, CLOCKID_THREAD_CPUTIME_ID,
  ERRNO_FAULT, ERRNO_INVAL, ERRNO_SUCCESS,
} from "../../abi/assembly/constants";
import {
  CLOCK_FIXED, CLOCK_HOST, CLOCK_OFFSET, CONFIG_SIZE, RANDOM_HOST, RANDOM_SEED, config_copy, config_size,
} from "./config";
import { chacha20_core, chacha20_setup, keystream_to_app, seed_stream } from "./chacha20";

/**
 * Virtual time every read of a fixed clock costs: consecutive reads differ,
 * so programs that time a loop or wait for the clock to move make progress.
 */
@inline const TICK: u64 = 1000;

let clockMode: u32 = CLOCK_HOST;
let randomMode: u32 = RANDOM_HOST;
/** fixed: REALTIME at the start, ns since the epoch */
let fixedStart: u64 = 0;
/** offset: ns added to the host's REALTIME */
let realtimeOffset: i64 = 0;
/** fixed: virtual ns since the start, moved by reads and by advance (sleeping) */
let elapsed: u64 = 0;
/** fixed: virtual CPU time, moved by reads only: a sleeping program uses no CPU */
let cpu: u64 = 0;
/** MONOTONIC never goes backwards, whatever the host does */
let lastMonotonic: u64 = 0;
/**
 * Host and offset modes: the REALTIME reading that stamps files until the
 * program next looks at time (see realtime()); valid when stampFresh.
 */
let stamp: u64 = 0;
let stampFresh = false;

export function init(): void {
  if (config_size(0) < CONFIG_SIZE) return;
  const cfg = memory.data(CONFIG_SIZE);
  config_copy(0, cfg, 0, CONFIG_SIZE);
  clockMode = load<u32>(cfg);
  randomMode = load<u32>(cfg, 4);
  if (clockMode == CLOCK_FIXED) fixedStart = load<u64>(cfg, 8);
  else if (clockMode == CLOCK_OFFSET) realtimeOffset = load<i64>(cfg, 8);
  if (randomMode == RANDOM_SEED) seed_stream(load<u64>(cfg, 16));
}

@inline function valid_clock(id: u32): bool {
  return id <= CLOCKID_THREAD_CPUTIME_ID;
}

/** Clamped rather than wrapped: a clock that wraps would jump back to 1970. */
@inline function add_saturating(a: u64, b: u64): u64 {
  const sum = a + b;
  return sum < a ? u64.MAX_VALUE : sum;
}

function shift_realtime(t: u64): u64 {
  if (realtimeOffset >= 0) return add_saturating(t, <u64>realtimeOffset);
  // Negating in u64 gives the magnitude even for i64.MIN.
  const back = <u64>0 - <u64>realtimeOffset;
  return t > back ? t - back : 0;
}

/** Reads a fixed-mode clock, then moves virtual time by one tick. */
function fixed_time(id: u32): u64 {
  let t: u64;
  if (id == CLOCKID_REALTIME) t = add_saturating(fixedStart, elapsed);
  else if (id == CLOCKID_MONOTONIC) t = elapsed;
  else t = cpu;
  elapsed = add_saturating(elapsed, TICK);
  cpu = add_saturating(cpu, TICK);
  return t;
}

/** What a host reading becomes in host and offset modes. */
function adjust_host_time(id: u32, t: u64): u64 {
  if (id == CLOCKID_REALTIME && clockMode == CLOCK_OFFSET) return shift_realtime(t);
  if (id == CLOCKID_MONOTONIC) {
    if (t < lastMonotonic) return lastMonotonic;
    lastMonotonic = t;
  }
  return t;
}

/**
 * Host and offset modes, for the program: the host writes straight into the
 * program's buffer (no copy); only REALTIME with an offset and MONOTONIC are
 * read back to be adjusted.
 */
function host_time_to_app(id: u32, precision: u64, time_ptr: u32): u16 {
  const err = host.clock_time_get(id, precision, time_ptr);
  if (err != ERRNO_SUCCESS) return err;
  if (id == CLOCKID_MONOTONIC || (id == CLOCKID_REALTIME && clockMode == CLOCK_OFFSET)) {
    const t = app.load_u64(time_ptr);
    const adjusted = adjust_host_time(id, t);
    if (adjusted != t) app.store_u64(time_ptr, adjusted);
  }
  return ERRNO_SUCCESS;
}

/**
 * Host and offset modes, for other capabilities: there is no program buffer,
 * so the host writes into 8 borrowed bytes of app memory, put back at once.
 * Answers 0 when the host fails or the app memory is smaller than 8 bytes.
 */
function host_time_borrowed(id: u32): u64 {
  if (!borrow_app(8)) return 0;
  const local = memory.data(8);
  const err = host.clock_time_get(id, 1, 0);
  read_borrowed(local, 0, 8);
  return_app();
  if (err != ERRNO_SUCCESS) return 0;
  return adjust_host_time(id, load<u64>(local));
}

// The preview1 surface.

export function clock_time_get(id: u32, precision: u64, time_ptr: u32): u16 {
  stampFresh = false;
  if (!in_app(time_ptr, 8, app.size())) return ERRNO_FAULT;
  if (!valid_clock(id)) return ERRNO_INVAL;
  // Fixed mode never reaches a host import: the config check is what keeps it off the host.
  if (clockMode == CLOCK_FIXED) {
    app.store_u64(time_ptr, fixed_time(id));
    return ERRNO_SUCCESS;
  }
  return host_time_to_app(id, precision, time_ptr);
}

export function clock_res_get(id: u32, res_ptr: u32): u16 {
  if (!in_app(res_ptr, 8, app.size())) return ERRNO_FAULT;
  if (!valid_clock(id)) return ERRNO_INVAL;
  if (clockMode == CLOCK_FIXED) {
    app.store_u64(res_ptr, TICK);
    return ERRNO_SUCCESS;
  }
  return host.clock_res_get(id, res_ptr);
}

export function random_get(buf: u32, buf_len: u32): u16 {
  if (!in_app(buf, buf_len, app.size())) return ERRNO_FAULT;
  if (randomMode == RANDOM_SEED) {
    keystream_to_app(buf, buf_len);
    return ERRNO_SUCCESS;
  }
  if (buf_len == 0) return ERRNO_SUCCESS;
  return host.random_get(buf, buf_len);
}

// box:clock, for other capabilities.

function read_clock(id: u32): u64 {
  if (!valid_clock(id)) return 0;
  if (clockMode == CLOCK_FIXED) return fixed_time(id);
  return host_time_borrowed(id);
}

/**
 * REALTIME in ns since the epoch for file timestamps; 0 when the host fails.
 *
 * Host and offset modes read the host once per span between two looks at
 * time by the program (clock_time_get, poll_oneoff, which reads now() or
 * virtual_time()): every change in the span gets the stamp read at its first
 * change. Inside the box this is indistinguishable from reading the clock at
 * each change: the stamp is no earlier than any time the program read before
 * the change and no later than any it reads after; only stamps of changes in
 * one span compare equal, as on a coarse clock. A vfs write thus costs no host
 * call in a loop of writes. Fixed mode reads no host and moves by a tick.
 */
export function realtime(): u64 {
  if (clockMode == CLOCK_FIXED) return fixed_time(CLOCKID_REALTIME);
  if (stampFresh) return stamp;
  const t = host_time_borrowed(CLOCKID_REALTIME);
  // A failed read (0) is not kept: the next change asks the host again.
  stamp = t;
  stampFresh = t != 0;
  return t;
}

/** The clock `id` as clock_time_get would answer it; 0 for an invalid id or a host failure. */
export function now(id: u32): u64 {
  stampFresh = false;
  return read_clock(id);
}

/**
 * A sleep of `ns`: fixed mode moves REALTIME and MONOTONIC (not CPU time)
 * instantly. Host and offset modes ignore it: the kernel sleeps on the host.
 */
export function advance(ns: u64): void {
  if (clockMode == CLOCK_FIXED) elapsed = add_saturating(elapsed, ns);
}

/**
 * 1 when time is virtual (fixed mode): the kernel's poll_oneoff then sleeps
 * with advance instead of waiting on the host. An unlinked clock's stub
 * answers 0, which keeps host sleeping.
 */
export function virtual_time(): u32 {
  // The kernel asks at the start of every poll_oneoff: the program may wait
  // and so see time pass, which ends the span of realtime()'s stamp.
  stampFresh = false;
  return clockMode == CLOCK_FIXED ? 1 : 0;
}

/**
 * RFC 8439 §2.3 block function over clock memory, exported so that tests check
 * the published vectors against this very code; nothing in a box calls it, so
 * the linker drops it.
 */
export function chacha20_block(key: usize, counter: u32, nonce: usize, out: usize): void {
  const state = memory.data(64);
  chacha20_setup(state, key, counter, nonce);
  chacha20_core(state, out);
}
