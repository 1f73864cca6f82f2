// The read-only image baked at link time (format: README.md, encoder:
// src/image.ts). Only segment 0, the index, is copied at init; a directory's
// children become inodes when the directory is first used, and a file's
// bytes are copied from segment 1 when the file is first read or written.
// Start-up cost is one memory.copy of the index, whatever the image holds.

import { FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SYMBOLIC_LINK } from "../../abi/assembly/constants";
import { config_copy, config_size } from "./config";
import { dir_insert } from "./directory";
import { Inode, inode_setup } from "./inode";
import { bytes_to_string } from "./strings";

const MAGIC: u32 = 0x5346564d; // "MVFS"
const VERSION: u32 = 1;
const HEADER_SIZE: u32 = 48;
const ENTRY_SIZE: u32 = 40;
/** Used when the image carries no valid header. */
const DEFAULT_QUOTA: u64 = 256 << 20;

// Header fields.
const H_COUNT: usize = 8;
const H_STRINGS: usize = 12;
const H_QUOTA: usize = 16;
const H_BUILD_TIME: usize = 24;
const H_WORKDIR_OFF: usize = 32;
const H_WORKDIR_LEN: usize = 36;
// Entry fields.
const E_TYPE: usize = 0;
const E_NAME_OFF: usize = 4;
const E_NAME_LEN: usize = 8;
const E_A: usize = 12; // directory: first child; symlink: target offset
const E_B: usize = 16; // directory: child count; symlink: target length
const E_DATA_OFF: usize = 20;
const E_SIZE: usize = 24;
const E_MTIME: usize = 32;

let index: usize = 0;
let count: u32 = 0;
let strings: usize = 0;
let buildTime: u64 = 0;

@inline function entry(i: u32): usize {
  return index + HEADER_SIZE + <usize>i * ENTRY_SIZE;
}

function string_at(off: u32, len: u32): string {
  return bytes_to_string(strings + off, len);
}

/** Copies the index and returns the root directory (entry 0, or an empty root when there is no image). */
export function image_init(): Inode {
  const size = config_size(0);
  let quota = DEFAULT_QUOTA;
  if (size >= HEADER_SIZE) {
    index = heap.alloc(<usize>size);
    config_copy(0, index, 0, size);
    const n = load<u32>(index + H_COUNT);
    if (
      load<u32>(index) == MAGIC && load<u32>(index, 4) == VERSION && n > 0 &&
      <u64>HEADER_SIZE + <u64>n * ENTRY_SIZE <= <u64>load<u32>(index + H_STRINGS) &&
      load<u32>(index + H_STRINGS) <= size && load<u8>(entry(0) + E_TYPE) == FILETYPE_DIRECTORY
    ) {
      count = n;
      strings = index + load<u32>(index + H_STRINGS);
      quota = load<u64>(index + H_QUOTA);
      buildTime = load<u64>(index + H_BUILD_TIME);
    }
  }
  // Image entry i has inode number i + 1; new inodes number after them.
  inode_setup(<u64>count + 2, buildTime, quota);
  if (count == 0) {
    const root = new Inode(1, FILETYPE_DIRECTORY, buildTime);
    root.nlink = 1;
    return root;
  }
  const root = inode_from_entry(0);
  root.nlink = 1;
  return root;
}

/** The configured working directory ("/" when none). */
export function image_workdir(): string {
  if (count == 0) return "/";
  const len = load<u32>(index + H_WORKDIR_LEN);
  return len == 0 ? "/" : string_at(load<u32>(index + H_WORKDIR_OFF), len);
}

function inode_from_entry(i: u32): Inode {
  const e = entry(i);
  const filetype = load<u8>(e + E_TYPE);
  const node = new Inode(<u64>i + 1, filetype, load<u64>(e + E_MTIME));
  if (filetype == FILETYPE_DIRECTORY) {
    if (load<u32>(e + E_B) > 0) node.image = <i32>i;
  } else if (filetype == FILETYPE_SYMBOLIC_LINK) {
    node.target = string_at(load<u32>(e + E_A), load<u32>(e + E_B));
    node.size = <u64>node.target.length;
  } else {
    node.size = load<u64>(e + E_SIZE);
    node.baseSize = node.size;
    if (node.size > 0) node.image = <i32>i;
  }
  return node;
}

/** Makes inodes for the children of image directory `d` (entry `i`). */
export function image_populate(d: Inode, i: u32): void {
  const e = entry(i);
  const first = load<u32>(e + E_A);
  const n = load<u32>(e + E_B);
  if (<u64>first + n > count) return;
  for (let c = first; c < first + n; c++) {
    const ce = entry(c);
    const child = inode_from_entry(c);
    dir_insert(d, string_at(load<u32>(ce + E_NAME_OFF), load<u32>(ce + E_NAME_LEN)), child);
  }
}

/** Copies a regular file's image bytes into `dst` (file.size bytes). */
export function image_copy_file(i: u32, dst: usize, len: u64): void {
  const e = entry(i);
  if (load<u8>(e + E_TYPE) != FILETYPE_REGULAR_FILE) return;
  config_copy(1, dst, load<u32>(e + E_DATA_OFF), <u32>len);
}
