// ChaCha20 block function, RFC 8439 §2.3, and the seeded keystream behind
// `--random seed:N`.
//
// Seed derivation (documented in README.md; changing it changes every seeded
// box's random bytes, so treat it as a format):
//   key     = seed as 8 little-endian bytes, then 24 zero bytes
//   block   = a 64-bit counter from 0: its low half is the RFC 8439 block
//             counter (state word 12), its high half the first nonce word (13)
//   nonce   = words 14-15 are the ASCII bytes "marcotte"
// so the RFC 8439 nonce is (counter >> 32 as 4 LE bytes) || "marcotte", and
// the stream only repeats after 2^64 blocks. Bytes are consumed in order
// across calls: random_get(4) twice yields what random_get(8) would.

import * as app from "../../abi/assembly/app";

// "expand 32-byte k", RFC 8439 §2.3
@inline const SIGMA0: u32 = 0x61707865;
@inline const SIGMA1: u32 = 0x3320646e;
@inline const SIGMA2: u32 = 0x79622d32;
@inline const SIGMA3: u32 = 0x6b206574;

@inline function quarter_round(s: usize, a: usize, b: usize, c: usize, d: usize): void {
  let va = load<u32>(s + (a << 2));
  let vb = load<u32>(s + (b << 2));
  let vc = load<u32>(s + (c << 2));
  let vd = load<u32>(s + (d << 2));
  va += vb; vd ^= va; vd = rotl<u32>(vd, 16);
  vc += vd; vb ^= vc; vb = rotl<u32>(vb, 12);
  va += vb; vd ^= va; vd = rotl<u32>(vd, 8);
  vc += vd; vb ^= vc; vb = rotl<u32>(vb, 7);
  store<u32>(s + (a << 2), va);
  store<u32>(s + (b << 2), vb);
  store<u32>(s + (c << 2), vc);
  store<u32>(s + (d << 2), vd);
}

/** 20 rounds over the 16-word state at `input`, plus the input, into 64 bytes at `out` (§2.3). */
export function chacha20_core(input: usize, out: usize): void {
  memory.copy(out, input, 64);
  for (let i = 0; i < 10; i++) {
    quarter_round(out, 0, 4, 8, 12);
    quarter_round(out, 1, 5, 9, 13);
    quarter_round(out, 2, 6, 10, 14);
    quarter_round(out, 3, 7, 11, 15);
    quarter_round(out, 0, 5, 10, 15);
    quarter_round(out, 1, 6, 11, 12);
    quarter_round(out, 2, 7, 8, 13);
    quarter_round(out, 3, 4, 9, 14);
  }
  // Wasm is little-endian, so storing the words serializes them as §2.3 requires.
  for (let i: usize = 0; i < 64; i += 4) store<u32>(out + i, load<u32>(out + i) + load<u32>(input + i));
}

/** Lays out the initial state: constants, key (32 bytes at `key`), counter, nonce (12 bytes at `nonce`). */
export function chacha20_setup(state: usize, key: usize, counter: u32, nonce: usize): void {
  store<u32>(state, SIGMA0);
  store<u32>(state, SIGMA1, 4);
  store<u32>(state, SIGMA2, 8);
  store<u32>(state, SIGMA3, 12);
  memory.copy(state + 16, key, 32);
  store<u32>(state, counter, 48);
  memory.copy(state + 52, nonce, 12);
}

// The seeded generator: its state template and a buffer of keystream.
const STATE = memory.data(64);
@inline const BUFFER_SIZE: u32 = 1024;
const BUFFER = memory.data(BUFFER_SIZE);
let used: u32 = BUFFER_SIZE;
let blockCounter: u64 = 0;

export function seed_stream(seed: u64): void {
  const key = memory.data(32);
  memory.fill(key, 0, 32);
  store<u64>(key, seed);
  const nonce = memory.data(12);
  store<u32>(nonce, 0);
  store<u64>(nonce, 0x6574746f6372616d, 4); // "marcotte"
  chacha20_setup(STATE, key, 0, nonce);
  used = BUFFER_SIZE;
  blockCounter = 0;
}

function refill(): void {
  for (let at: u32 = 0; at < BUFFER_SIZE; at += 64) {
    store<u64>(STATE, blockCounter, 48);
    chacha20_core(STATE, BUFFER + at);
    blockCounter++;
  }
  used = 0;
}

/** Writes the next `len` keystream bytes to the app at `buf` (already bounds-checked). */
export function keystream_to_app(buf: u32, len: u32): void {
  while (len > 0) {
    if (used == BUFFER_SIZE) refill();
    const n = min(len, BUFFER_SIZE - used);
    app.copy_out(buf, BUFFER + used, n);
    used += n;
    buf += n;
    len -= n;
  }
}
