// Memory for file contents: power-of-two blocks carved from pages this module
// grows itself. File bytes are the one thing a program can make arbitrarily
// large, and AssemblyScript's allocator traps when memory.grow fails; here a
// failed grow is a value (0), which writes turn into ENOSPC and loads into
// ENOMEM, leaving every stored byte as it was.
//
// Blocks are never returned to the engine (memory cannot shrink) but are
// reused through one free list per size class. Growth goes through
// mem_grow (limits.ts), which keeps the allocator's headroom free. The runtime's own allocator
// copes with pages grown behind its back (it adds its later growth as a new
// region), provided it has claimed its first region before we grow.

import { mem_grow } from "./limits";

/** Largest block: 2 GiB, half the 32-bit address space. */
export const FMEM_MAX: u64 = 1 << 31;
const MIN_CLASS: u32 = 6; // 64 bytes
const PAGE_CLASS: u32 = 16; // 64 KiB
const FREE_LISTS: usize = memory.data(32 * sizeof<usize>());

let runtimeReady = false;

/** Size class (log2 of the block size) that holds `size` bytes. */
@inline function class_of(size: u64): u32 {
  if (size <= (1 << MIN_CLASS)) return MIN_CLASS;
  return 64 - <u32>clz(size - 1);
}

/** Bytes a block for `size` bytes really holds. */
export function fmem_capacity(size: u64): u64 {
  return size == 0 ? 0 : <u64>1 << class_of(size);
}

function grow_pages(pages: u32): usize {
  if (!runtimeReady) {
    // Let the runtime claim its initial region before pages appear after it.
    heap.free(heap.alloc(16));
    runtimeReady = true;
  }
  return mem_grow(pages);
}

/** A block for `size` (> 0) bytes, or 0 when memory cannot grow. Its bytes are not zeroed. */
export function fmem_alloc(size: u64): usize {
  if (size == 0 || size > FMEM_MAX) return 0;
  const k = class_of(size);
  const head = FREE_LISTS + (<usize>k << alignof<usize>());
  const free = load<usize>(head);
  if (free != 0) {
    store<usize>(head, load<usize>(free));
    return free;
  }
  if (k >= PAGE_CLASS) {
    const grown = grow_pages(<u32>1 << (k - PAGE_CLASS));
    return grown != 0 ? grown : split_larger(k);
  }
  const page = grow_pages(1);
  if (page == 0) return split_larger(k);
  // Keep the first block, put the rest of the page on the free list.
  const step = <usize>1 << k;
  for (let at = page + step; at < page + 0x10000; at += step) {
    store<usize>(at, load<usize>(head));
    store<usize>(head, at);
  }
  return page;
}

/**
 * When memory cannot grow: a free block of a larger class, halved down to
 * class `k` (each other half goes on its own class's list). Without this, a
 * memory once filled with large files that were then deleted could never
 * hold a small file again. 0 when no larger block is free.
 */
function split_larger(k: u32): usize {
  for (let j: u32 = k + 1; j < 32; j++) {
    const head = FREE_LISTS + (<usize>j << alignof<usize>());
    const block = load<usize>(head);
    if (block == 0) continue;
    store<usize>(head, load<usize>(block));
    for (let c = j - 1; c >= k; c--) {
      const half = block + (<usize>1 << c);
      const list = FREE_LISTS + (<usize>c << alignof<usize>());
      store<usize>(half, load<usize>(list));
      store<usize>(list, half);
    }
    return block;
  }
  return 0;
}

/** Returns a block obtained for `size` bytes. */
export function fmem_free(block: usize, size: u64): void {
  if (block == 0 || size == 0) return;
  const head = FREE_LISTS + (<usize>class_of(size) << alignof<usize>());
  store<usize>(block, load<usize>(head));
  store<usize>(head, block);
}

/**
 * Grows a block of `cap` bytes (a power of two, 64 KiB or more) in place to
 * hold `size` bytes when it ends where memory ends: the pages after it are
 * grown instead of copying the block (a file written sequentially is the
 * last thing grown, so its appends never copy). The new capacity, or 0 when
 * the block cannot grow in place (nothing changed then).
 */
export function fmem_extend(block: usize, cap: u64, size: u64): u64 {
  if (block == 0 || cap < (<u64>1 << PAGE_CLASS) || size > FMEM_MAX) return 0;
  if (<u64>block + cap != <u64>memory.size() << 16) return 0;
  const want = <u64>1 << class_of(size);
  if (want <= cap) return cap;
  if (mem_grow(<u32>((want - cap) >> 16)) == 0) return 0;
  return want;
}
