// Link-time limits (image header) and the memory guard.
//
// File bytes live in pages fmem grows itself, where a failed grow is a value.
// Everything else (inodes, names, handles, directory tables) comes from the
// AssemblyScript runtime's allocator, which traps when memory.grow fails. So
// the vfs never lets file bytes take the last pages: it keeps HEADROOM pages
// below its ceiling (max pages from the image or the host's cap, or what
// the engine refused) for the allocator, and each call that makes metadata
// first asks mem_guard() whether growing by what it needs stays below the
// ceiling.
// When it does not, the call answers ENOSPC/ENOMEM and changes nothing.
//
// Once memory has grown to the ceiling it never shrinks, so the guard then
// asks the allocator itself: its first-level bitmap (TLSF's flMap) says
// whether a free block of a size class above what is needed exists, and
// such a block can serve the call without growing.
//
// A BALLAST block is held while memory is plentiful and given back to the
// allocator (with a full collection) once it is not: lookups, stats, reads
// and closes still allocate a little garbage, and this way they find room
// without the allocator having to grow.

import { ROOT } from "~lib/rt/tlsf";

/** Largest single file, EFBIG beyond (header; the encoder's default 1 GiB). */
export let max_file_size: u64 = 1 << 30;
/** A path argument of this many bytes or more answers ENAMETOOLONG. */
export let max_path: u32 = 4096;
/** Open handles, EMFILE beyond. */
export let max_handles: i32 = 1024;
/** The header's max pages as given (0: none), for the snapshot's header. */
export let max_pages: u32 = 0;
/** Bytes of metadata the writable layer may add beyond the image (header; the encoder's default 64 MiB). */
export let max_meta: u64 = 64 << 20;
/**
 * The host's cap on this memory (box run --memory, through the control
 * export memory_limit), in pages; 0: none. The engine refuses to grow past
 * it, so the vfs plans with it as it does with max pages; it is not part of
 * the image and so never reaches a snapshot's header.
 */
let host_pages: u32 = 0;
/** True when the vfs memory has a fixed size (max pages or the host's cap): mem_claim_arena took the allocator's share. */
let arena: bool = false;
/**
 * Metadata charged so far (meta_charge): names, inodes and symlink targets
 * made, minus those removed. It may go below zero: removing the image's own
 * names gives their cost back, so the tree never holds more than the image's
 * metadata plus max_meta.
 */
let metaUsed: i64 = 0;

/** Pages the vfs memory may reach: the image's max pages, lowered when the engine refuses to grow. */
let ceiling: i32 = 65536;
/** Pages file bytes leave for the runtime allocator: metadata can still grow when files fill memory. */
const HEADROOM: i32 = 8;
/** Pages metadata itself always leaves free: the ballast and one call's garbage fit in them. */
const META_RESERVE: i32 = 2;
const BALLAST: usize = 128 << 10;
let ballast: usize = 0;

/** The image header's limits; zeros (an image without them) keep the defaults. */
export function limits_set(fileSize: u64, path: u32, handles: u32, pages: u32, meta: u32): void {
  if (fileSize != 0) max_file_size = fileSize < (<u64>1 << 31) ? fileSize : <u64>1 << 31;
  if (path != 0) max_path = path;
  if (handles != 0) max_handles = handles < 0x7fff_ffff ? <i32>handles : 0x7fff_ffff;
  max_pages = pages;
  if (meta != 0) max_meta = meta;
}

/** The host's cap on the vfs memory in pages (before the first call; the runtime keeps it >= 32). */
export function limits_host_pages(pages: u32): void {
  host_pages = pages;
}

/** True when `bytes` more metadata stays within max_meta (ENOSPC otherwise, as tmpfs out of inodes). */
export function meta_allows(bytes: u64): bool {
  return metaUsed + <i64>bytes <= <i64>max_meta;
}

/** Records metadata made (positive) or removed (negative). */
export function meta_charge(bytes: i64): void {
  metaUsed += bytes;
}

@inline function pages_for(bytes: u64): i32 {
  return <i32>((bytes + 0xffff) >> 16);
}

/**
 * Grows memory by `pages` for file bytes; the old size in bytes, or 0 when
 * that would cut into the allocator's headroom or the engine refuses.
 */
export function mem_grow(pages: u32): usize {
  if (<i64>memory.size() + <i64>pages + HEADROOM > <i64>ceiling) return 0;
  const before = memory.grow(<i32>pages);
  if (before < 0) {
    // The engine's own limit is lower than ours: never plan past what we have.
    const size = memory.size();
    if (size < ceiling) ceiling = size;
    return 0;
  }
  return <usize>before << 16;
}

/**
 * Called before making metadata: true when the runtime allocator may grow by
 * `bytes` (twice over: it grows in steps) and still leave META_RESERVE. On
 * false the caller answers ENOSPC or ENOMEM; lookups may go on regardless.
 */
export function mem_guard(bytes: u64): bool {
  if (arena) {
    // A fixed arena (mem_claim_arena): never let the allocator grow past it.
    const need = (bytes << 1) + <u64>BALLAST;
    if (tlsf_has_free(need)) return true;
    __collect();
    return tlsf_has_free(need);
  }
  if (<i64>memory.size() + <i64>META_RESERVE + (<i64>pages_for(bytes) << 1) <= <i64>ceiling) {
    if (ballast == 0) ballast = heap.alloc(BALLAST);
    return true;
  }
  if (ballast != 0) {
    heap.free(ballast);
    ballast = 0;
  }
  // The incremental collector lets garbage reach twice the live heap before
  // a cycle; near the ceiling that growth must not happen, so collect now.
  __collect();
  // The ballast's worth stays free for lookups, whatever this call makes.
  return tlsf_has_free((bytes << 1) + <u64>BALLAST);
}

/**
 * With max pages set, or a cap from the host, the allocator gets its share up
 * front, while memory is still small: it grows by doubling the whole memory
 * (file pages included), which later would overshoot the limit. A quarter of
 * the pages are metadata, the rest file bytes; mem_guard then only hands out
 * what the arena holds.
 */
export function mem_claim_arena(): void {
  let limit = max_pages;
  if (host_pages != 0 && (limit == 0 || host_pages < limit)) limit = host_pages;
  if (limit == 0) return;
  if (limit < 65536) ceiling = <i32>limit;
  arena = true;
  const pages = ceiling >> 2;
  const have = memory.size();
  if (pages <= have) return;
  heap.free(heap.alloc(<usize>(pages - have - 1) << 16));
}

/**
 * True when the runtime allocator holds a free block of more than `bytes`.
 * TLSF layout (~lib/rt/tlsf.ts): the root starts with flMap, one bit per
 * first-level class; class f >= 1 holds blocks of [2^(f+7), 2^(f+8)) bytes.
 */
function tlsf_has_free(bytes: u64): bool {
  if (bytes >= (<u64>1 << 30)) return false;
  const flMap = load<u32>(changetype<usize>(ROOT));
  const fl = bytes < 256 ? 0 : (31 - <i32>clz(<u32>bytes)) - 7;
  return fl + 1 < 32 && (flMap >>> <u32>(fl + 1)) != 0;
}
