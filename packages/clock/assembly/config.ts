// The clock configuration baked at link time, delivered by the linker as
// passive data segment 0 (box:config); src/index.ts `clockConfig` writes it.
//
// Layout (24 bytes, little-endian):
//   u32 clock mode   0 host, 1 fixed, 2 offset
//   u32 random mode  0 host, 1 seed
//   u64 clock value  fixed: REALTIME start, ns since the epoch; offset: signed ns added to REALTIME
//   u64 seed         random seed (seed mode)
// A missing or short segment means host/host: passthrough, as without the capability.

@external("box:config", "size")
export declare function config_size(segment: u32): u32;

@external("box:config", "copy")
export declare function config_copy(segment: u32, dst: usize, offset: u32, len: u32): void;

@inline export const CONFIG_SIZE: u32 = 24;

@inline export const CLOCK_HOST: u32 = 0;
@inline export const CLOCK_FIXED: u32 = 1;
@inline export const CLOCK_OFFSET: u32 = 2;

@inline export const RANDOM_HOST: u32 = 0;
@inline export const RANDOM_SEED: u32 = 1;
