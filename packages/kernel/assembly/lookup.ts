// Decode -> get the fd -> validate: the shape every kernel entry point shares.

import * as app from "../../abi/assembly/app";
import { ERRNO_BADF, ERRNO_NOTCAPABLE } from "../../abi/assembly/constants";
import { entry_has, fd_entry } from "./fdtable";

/** Why the last lookup returned 0. */
export let lookup_errno: u16 = 0;

/**
 * The entry of `fd` when it is open and holds every right in `rights`;
 * otherwise 0, with lookup_errno set to EBADF or ENOTCAPABLE.
 */
export function lookup(fd: u32, rights: u64): usize {
  const e = fd_entry(fd);
  if (e == 0) {
    lookup_errno = ERRNO_BADF;
    return 0;
  }
  if (!entry_has(e, rights)) {
    lookup_errno = ERRNO_NOTCAPABLE;
    return 0;
  }
  return e;
}

/** The app memory size, read once per call: the app may grow its memory between calls. */
@inline export function app_size(): u64 {
  return app.size();
}
