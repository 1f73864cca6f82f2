// Regular file contents: copy-on-first-use from the image, reads, writes,
// resizes; reads straight from the image when memory is full. Sizes past the image's max file size are refused with EFBIG; quota
// (ENOSPC) and memory (ENOSPC on write, ENOMEM when a read must first copy
// the image bytes) are checked before any byte changes, so a failing call
// leaves the file exactly as it was.

import * as app from "../../abi/assembly/app";
import { copy_in_small, copy_out_small } from "../../abi/assembly/copy";
import { ERRNO_FBIG, ERRNO_NOMEM, ERRNO_NOSPC, ERRNO_SUCCESS } from "../../abi/assembly/constants";
import { fmem_alloc, fmem_capacity, fmem_extend, fmem_free } from "./fmem";
import { image_copy_file, image_copy_range } from "./image";
import { Inode, quota_allows, quota_resize } from "./inode";
import { max_file_size } from "./limits";

/**
 * Makes `i.cap >= need`, keeping the first `i.size` bytes. False when memory
 * cannot grow. Capacities are powers of two, so a growing file is copied
 * O(log size) times at most, and not at all while its block is the last
 * thing in memory (fmem_extend).
 */
function reserve(i: Inode, need: u64): bool {
  if (need <= <u64>i.cap) return true;
  const cap = fmem_extend(i.data, i.cap, need);
  if (cap != 0) {
    i.cap = <u32>cap;
    return true;
  }
  const block = fmem_alloc(need);
  if (block == 0) return false;
  if (i.size > 0) memory.copy(block, i.data, <usize>i.size);
  fmem_free(i.data, i.cap);
  i.data = block;
  i.cap = <u32>fmem_capacity(need);
  return true;
}

/** Copies an image file's bytes on first use. */
export function file_load(i: Inode): u16 {
  if (i.image < 0) return ERRNO_SUCCESS;
  if (!reserve(i, i.size)) return ERRNO_NOMEM;
  image_copy_file(<u32>i.image, i.data, i.size);
  i.image = -1;
  return ERRNO_SUCCESS;
}

/** Sets the size; new bytes read as zeros. */
export function file_resize(i: Inode, size: u64): u16 {
  return resize_to(i, size, size);
}

/**
 * Sets the size; new bytes before `zero_end` are zeroed (a write that
 * extends the file zeroes only the hole before it: it overwrites the rest).
 */
function resize_to(i: Inode, size: u64, zero_end: u64): u16 {
  if (size > max_file_size) return ERRNO_FBIG;
  if (!quota_allows(i, size)) return ERRNO_NOSPC;
  if (i.image >= 0) {
    // Not copied yet: one block of the final size takes the image bytes, so
    // a full memory answers ENOSPC here, as any write past the end does.
    const need = size > i.size ? size : i.size;
    const block = fmem_alloc(need);
    if (block == 0) return ERRNO_NOSPC;
    image_copy_file(<u32>i.image, block, i.size);
    i.image = -1;
    i.data = block;
    i.cap = <u32>fmem_capacity(need);
  } else if (!reserve(i, size)) {
    return ERRNO_NOSPC;
  }
  const zeros = zero_end < size ? zero_end : size;
  if (zeros > i.size) memory.fill(i.data + <usize>i.size, 0, <usize>(zeros - i.size));
  quota_resize(i, size);
  i.size = size;
  return ERRNO_SUCCESS;
}

/** Bounce buffer for reading image bytes that cannot be copied into the file store. */
const SCRATCH_SIZE: u32 = 4096;
const SCRATCH: usize = memory.data(SCRATCH_SIZE);

/**
 * Reads an image file straight from box:config when memory is too short to
 * copy it first: reads keep working with memory full (at twice the copying).
 */
function read_from_image(i: Inode, pos: u64, iovs: u32, iovs_len: u32): i64 {
  let total: u64 = 0;
  for (let k: u32 = 0; k < iovs_len; k++) {
    const buf = app.load_u32(iovs + k * 8);
    const len = <u64>app.load_u32(iovs + k * 8 + 4);
    let done: u64 = 0;
    while (done < len && pos < i.size) {
      const left = i.size - pos < len - done ? i.size - pos : len - done;
      const n = left < <u64>SCRATCH_SIZE ? <u32>left : SCRATCH_SIZE;
      image_copy_range(<u32>i.image, SCRATCH, pos, n);
      app.copy_out(buf + <u32>done, SCRATCH, n);
      done += n;
      pos += n;
    }
    total += done;
    if (done < len) break;
  }
  return <i64>total;
}

/** Reads into the iovecs from `pos`; returns the byte count, or a negated errno. */
export function file_read(i: Inode, pos: u64, iovs: u32, iovs_len: u32): i64 {
  const err = file_load(i);
  if (err == ERRNO_NOMEM && i.image >= 0) return read_from_image(i, pos, iovs, iovs_len);
  if (err != ERRNO_SUCCESS) return -<i64>err;
  let total: u64 = 0;
  for (let k: u32 = 0; k < iovs_len; k++) {
    if (pos >= i.size) break;
    const buf = app.load_u32(iovs + k * 8);
    const len = <u64>app.load_u32(iovs + k * 8 + 4);
    const avail = i.size - pos;
    const n = len < avail ? len : avail;
    copy_out_small(buf, i.data + <usize>pos, <u32>n);
    pos += n;
    total += n;
    if (n < len) break;
  }
  return <i64>total;
}

/** Writes the iovecs at `pos` (holes read as zeros); returns the byte count, or a negated errno. */
export function file_write(i: Inode, pos: u64, iovs: u32, iovs_len: u32): i64 {
  let total: u64 = 0;
  for (let k: u32 = 0; k < iovs_len; k++) total += <u64>app.load_u32(iovs + k * 8 + 4);
  if (total == 0) return 0;
  const end = pos + total;
  if (end < pos || end > max_file_size) return -<i64>ERRNO_FBIG;
  if (end > i.size) {
    const err = resize_to(i, end, pos);
    if (err != ERRNO_SUCCESS) return -<i64>err;
  } else {
    const err = file_load(i);
    if (err != ERRNO_SUCCESS) return -<i64>err;
  }
  let at = pos;
  for (let k: u32 = 0; k < iovs_len; k++) {
    const buf = app.load_u32(iovs + k * 8);
    const len = app.load_u32(iovs + k * 8 + 4);
    copy_in_small(i.data + <usize>at, buf, len);
    at += len;
  }
  return <i64>total;
}
