// Small copies between the app memory and a capability's own. A memory.copy
// across memories is a call out of the engine's compiled code (about 6 ns on
// V8 for 16 bytes, against under 1 ns for two word moves). Only for the data
// of small reads and writes: in dynamic mode (runtime/src/dynamic.ts) every
// box:app call crosses into JavaScript, so a 64-byte record moved as eight
// stores cost 8 crossings where one copy costs one (stat was 1.8x slower
// there); at 32 bytes and below the words win or tie in both modes.

import * as app from "./app";

/** Up to this many bytes move as words; more go through one memory.copy. */
export const SMALL_COPY: u32 = 32;

/** app.copy_out, by stores when `n` is small. */
@inline export function copy_out_small(dst: u32, src: usize, n: u32): void {
  if (n > SMALL_COPY) {
    app.copy_out(dst, src, n);
    return;
  }
  while (n >= 8) {
    app.store_u64(dst, load<u64>(src));
    dst += 8;
    src += 8;
    n -= 8;
  }
  while (n > 0) {
    app.store_u8(dst, <u32>load<u8>(src));
    dst++;
    src++;
    n--;
  }
}

/** app.copy_in, by loads when `n` is small. */
@inline export function copy_in_small(dst: usize, src: u32, n: u32): void {
  if (n > SMALL_COPY) {
    app.copy_in(dst, src, n);
    return;
  }
  while (n >= 8) {
    store<u64>(dst, app.load_u64(src));
    dst += 8;
    src += 8;
    n -= 8;
  }
  while (n > 0) {
    store<u8>(dst, <u8>app.load_u8(src));
    dst++;
    src++;
    n--;
  }
}
