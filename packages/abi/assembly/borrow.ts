// Lending a corner of the app memory to a host call.
//
// Host imports read and write memory 0 only, and nothing of the box owns
// space there. When a capability must call the host for its own purposes
// (enumerating host preopens, reading run-time args at init), it saves the
// first bytes of the app memory, lets the host write there, reads the result
// and puts the app's bytes back before anything else runs.

import * as app from "./app";

let saved: usize = 0;
let savedCap: u32 = 0;
let savedLen: u32 = 0;

/** Saves app[0, len) and returns true; false when the app memory is smaller than len. */
export function borrow_app(len: u32): bool {
  if (<u64>len > app.size()) return false;
  if (len > savedCap) {
    if (saved != 0) heap.free(saved);
    saved = heap.alloc(<usize>len);
    savedCap = len;
  }
  app.copy_in(saved, 0, len);
  savedLen = len;
  return true;
}

/** Copies len bytes the host left at app[at] into local memory at dst. */
export function read_borrowed(dst: usize, at: u32, len: u32): void {
  app.copy_in(dst, at, len);
}

/** Puts back what borrow_app saved. */
export function return_app(): void {
  app.copy_out(0, saved, savedLen);
  savedLen = 0;
}
