// mulberry32: a small seeded PRNG for the generated scripts and the tools'
// fuzzers. The same seed gives the same sequence, so a failure names its seed.

/** Uniform integers in [0, n) from `seed`. */
export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
