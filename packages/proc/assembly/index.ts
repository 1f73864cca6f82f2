// proc: the program's argv and environment, and its exit.
//
// Container semantics (DESIGN.md §5): argv[0] is the entrypoint; then the
// run-time args when the host gave any beyond its own argv[0], else the
// args baked at link time. The environment is the baked one, overridden key
// by key by what the host passes (our runtime passes only `-e` values: the
// host's own environment is never inherited).

import * as app from "../../abi/assembly/app";
import * as host from "../../abi/assembly/wasi";
import { in_app } from "../../abi/assembly/bounds";
import { borrow_app, read_borrowed, return_app } from "../../abi/assembly/borrow";
import { ERRNO_2BIG, ERRNO_FAULT, ERRNO_NOSYS, ERRNO_SUCCESS } from "../../abi/assembly/constants";
import { config_copy, config_size } from "./config";
import { StringList, strlen } from "./strings";

// Filled by init, which the _start wrapper runs first; allocating here at the
// top level would add a start function that runs before the host is ready.
let argv = changetype<StringList>(0);
let environ = changetype<StringList>(0);
/** Set when init could not read the host's args or environment. */
let initErrno: u16 = ERRNO_SUCCESS;

/**
 * Reads a host list (args or environ) through borrowed app memory.
 * Returns null when the host's data does not fit in the app memory.
 */
function read_host_list(isEnviron: bool): StringList | null {
  const list = new StringList();
  if (!borrow_app(8)) return null;
  const counts = memory.data(8);
  const err = isEnviron ? host.environ_sizes_get(0, 4) : host.args_sizes_get(0, 4);
  read_borrowed(counts, 0, 8);
  return_app();
  if (err != ERRNO_SUCCESS) return list;
  const count = load<u32>(counts);
  const bufSize = load<u32>(counts, 4);
  const total = count * 4 + bufSize;
  if (!borrow_app(total)) return null;
  const local = heap.alloc(<usize>total);
  const getErr = isEnviron ? host.environ_get(0, count * 4) : host.args_get(0, count * 4);
  read_borrowed(local, 0, total);
  return_app();
  if (getErr != ERRNO_SUCCESS) return list;
  for (let i: u32 = 0; i < count; i++) {
    // The host wrote app addresses; our copy starts at the same offset 0.
    const s = local + <usize>load<u32>(local + (<usize>i << 2));
    list.push(s, strlen(s));
  }
  return list;
}

export function init(): void {
  const size = config_size(0);
  const cfg = heap.alloc(<usize>size);
  config_copy(0, cfg, 0, size);
  const argc = load<u32>(cfg);
  const envc = load<u32>(cfg, 4);
  const baked = new StringList();
  let s = cfg + 8;
  for (let i: u32 = 0; i < argc + envc; i++) {
    const n = strlen(s);
    baked.push(s, n);
    s += n + 1;
  }

  const hostArgs = read_host_list(false);
  const hostEnv = read_host_list(true);
  argv = new StringList();
  environ = new StringList();
  if (hostArgs == null || hostEnv == null) initErrno = ERRNO_2BIG;

  // argv[0] is always the entrypoint; run-time args replace the defaults.
  const entry = baked.at(0);
  argv.push(entry, strlen(entry));
  if (hostArgs != null && hostArgs.count > 1) {
    for (let i: u32 = 1; i < hostArgs.count; i++) argv.push(hostArgs.at(i), strlen(hostArgs.at(i)));
  } else {
    for (let i: u32 = 1; i < argc; i++) argv.push(baked.at(i), strlen(baked.at(i)));
  }

  for (let i: u32 = argc; i < argc + envc; i++) environ.push(baked.at(i), strlen(baked.at(i)));
  if (hostEnv != null) {
    for (let i: u32 = 0; i < hostEnv.count; i++) {
      const kv = hostEnv.at(i);
      const at = environ.findKey(kv);
      if (at >= 0) environ.replace(<u32>at, kv, strlen(kv));
      else environ.push(kv, strlen(kv));
    }
  }
}

function sizes_get(list: StringList, count_ptr: u32, size_ptr: u32): u16 {
  if (initErrno != ERRNO_SUCCESS) return initErrno;
  const size = app.size();
  if (!in_app(count_ptr, 4, size) || !in_app(size_ptr, 4, size)) return ERRNO_FAULT;
  app.store_u32(count_ptr, list.count);
  app.store_u32(size_ptr, list.length);
  return ERRNO_SUCCESS;
}

function list_get(list: StringList, ptrs: u32, buf: u32): u16 {
  if (initErrno != ERRNO_SUCCESS) return initErrno;
  const size = app.size();
  if (!in_app(ptrs, <u64>list.count * 4, size) || !in_app(buf, list.length, size)) return ERRNO_FAULT;
  app.copy_out(buf, list.bytes, list.length);
  for (let i: u32 = 0; i < list.count; i++) {
    app.store_u32(ptrs + i * 4, buf + load<u32>(list.starts + (<usize>i << 2)));
  }
  return ERRNO_SUCCESS;
}

export function args_sizes_get(argc: u32, argv_buf_size: u32): u16 {
  return sizes_get(argv, argc, argv_buf_size);
}

export function args_get(argv_ptrs: u32, argv_buf: u32): u16 {
  return list_get(argv, argv_ptrs, argv_buf);
}

export function environ_sizes_get(count: u32, environ_buf_size: u32): u16 {
  return sizes_get(environ, count, environ_buf_size);
}

export function environ_get(environ_ptrs: u32, environ_buf: u32): u16 {
  return list_get(environ, environ_ptrs, environ_buf);
}

export function proc_exit(code: u32): void {
  host.proc_exit(code);
}

/** Signals are not delivered inside a box: forwarding would signal the host process. */
export function proc_raise(sig: u8): u16 {
  return ERRNO_NOSYS;
}

/** One thread, nothing to yield to: success, as the spec allows. */
export function sched_yield(): u16 {
  return ERRNO_SUCCESS;
}
