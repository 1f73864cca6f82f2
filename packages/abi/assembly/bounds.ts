// Bounds checks on pointers the program passes (the ABI layer).
//
// Every app pointer and length is checked against the app memory's current
// size before any byte moves, so a bad pointer answers EFAULT and never traps.
// Sizes are compared in 64 bits: ptr + len can exceed 2^32.

import * as app from "./app";
import { CIOVEC_SIZE } from "./constants";

/** True when [ptr, ptr + len) lies inside the app memory of size `size`. */
@inline export function in_app(ptr: u32, len: u64, size: u64): bool {
  return <u64>ptr + len <= size;
}

/** True when the iovec array and every buffer it names lie inside the app memory. */
export function iovecs_in_app(iovs: u32, count: u32, size: u64): bool {
  if (!in_app(iovs, <u64>count * <u64>CIOVEC_SIZE, size)) return false;
  for (let i: u32 = 0; i < count; i++) {
    const at = iovs + i * CIOVEC_SIZE;
    if (!in_app(app.load_u32(at), <u64>app.load_u32(at + 4), size)) return false;
  }
  return true;
}
