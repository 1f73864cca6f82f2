// The read-only image baked at link time (format: README.md, encoder:
// src/image.ts). Only segment 0, the index, is copied at init; a directory's
// children become inodes when the directory is first used, and a file's
// bytes are copied from segment 1 when the file is first read or written.
// Start-up cost is one memory.copy of the index, whatever the image holds.

import { FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SYMBOLIC_LINK } from "../../abi/assembly/constants";
import { config_copy, config_size } from "./config";
import { bytes_hash, dir_insert } from "./directory";
import { Inode, inode_make, inode_setup } from "./inode";
import { limits_set } from "./limits";
import { bytes_to_string } from "./strings";
import { Table } from "./table";
import {
  ENTRY_SIZE, E_A, E_B, E_DATA_OFF, E_MODE, E_MTIME, E_NAME_LEN, E_NAME_OFF, E_SIZE, E_TYPE, HEADER_SIZE, H_BUILD_TIME, H_COUNT, H_MAGIC,
  H_MAX_FILE_SIZE, H_MAX_HANDLES, H_MAX_META, H_MAX_PAGES, H_MAX_PATH, H_QUOTA, H_STRINGS, H_VERSION, H_WORKDIR_LEN,
  H_WORKDIR_OFF, IMAGE_MAGIC, IMAGE_VERSION,
} from "./image-format.generated";

// The format's offsets, for the other modules that read entries.
export { ENTRY_SIZE, E_A, E_B, E_DATA_OFF, E_MODE, E_MTIME, E_NAME_LEN, E_NAME_OFF, E_SIZE, E_TYPE, HEADER_SIZE } from "./image-format.generated";

/** Used when the image carries no valid header (the encoder's defaults). */
const DEFAULT_QUOTA: u64 = 256 << 20;

let index: usize = 0;
export let image_count: u32 = 0;
export let image_strings: usize = 0;
export let image_build_time: u64 = 0;
export let image_quota: u64 = DEFAULT_QUOTA;
/** Inodes of hard-linked image files, by leader entry: every name of one file finds the same inode. */
const groups = new Table();
/** inode_from_entry returned an inode another name had already made. */
let reused = false;

@inline export function entry(i: u32): usize {
  return index + HEADER_SIZE + <usize>i * ENTRY_SIZE;
}

function string_at(off: u32, len: u32): string {
  return bytes_to_string(image_strings + off, len);
}

/** The inode of a hard-linked image file already in use, or null (also for files that are not linked). */
export function image_group_inode(i: u32): Inode | null {
  const e = entry(i);
  const lead = load<u32>(e + E_A);
  if (load<u8>(e + E_TYPE) != FILETYPE_REGULAR_FILE || lead == 0) return null;
  const g = groups.get(lead - 1);
  return g >= 0 ? changetype<Inode>(<usize>g) : null;
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
      load<u32>(index + H_MAGIC) == IMAGE_MAGIC && load<u32>(index + H_VERSION) == IMAGE_VERSION && n > 0 &&
      <u64>HEADER_SIZE + <u64>n * ENTRY_SIZE <= <u64>load<u32>(index + H_STRINGS) &&
      load<u32>(index + H_STRINGS) <= size && load<u8>(entry(0) + E_TYPE) == FILETYPE_DIRECTORY
    ) {
      image_count = n;
      image_strings = index + load<u32>(index + H_STRINGS);
      quota = load<u64>(index + H_QUOTA);
      image_build_time = load<u64>(index + H_BUILD_TIME);
      limits_set(
        load<u64>(index + H_MAX_FILE_SIZE), load<u32>(index + H_MAX_PATH),
        load<u32>(index + H_MAX_HANDLES), load<u32>(index + H_MAX_PAGES), load<u32>(index + H_MAX_META),
      );
    }
  }
  image_quota = quota;
  // Image entry i has inode number i + 1; new inodes number after them.
  inode_setup(<u64>image_count + 2, image_build_time, quota);
  if (image_count == 0) {
    // Inode number 1, as image entry 0 would have.
    const root = inode_make(0, FILETYPE_DIRECTORY, image_build_time);
    root.nlink = 1;
    return root;
  }
  const root = inode_from_entry(0);
  root.nlink = 1;
  return root;
}

/** The configured working directory ("/" when none). */
export function image_workdir(): string {
  if (image_count == 0) return "/";
  const len = load<u32>(index + H_WORKDIR_LEN);
  return len == 0 ? "/" : string_at(load<u32>(index + H_WORKDIR_OFF), len);
}

/**
 * The configured working directory as UTF-8 bytes in this memory:
 * (length << 32) | pointer, or 0 for "/" (the program's own default, nothing
 * to change). The box's _start wrapper copies it into the program and calls
 * the program's chdir (linker: glue.ts workdirStart).
 */
export function image_workdir_bytes(): u64 {
  if (image_count == 0) return 0;
  const len = load<u32>(index + H_WORKDIR_LEN);
  if (len == 0 || (len == 1 && load<u8>(image_strings + <usize>load<u32>(index + H_WORKDIR_OFF)) == 0x2f)) return 0;
  return (<u64>len << 32) | <u64>(image_strings + <usize>load<u32>(index + H_WORKDIR_OFF));
}

function inode_from_entry(i: u32): Inode {
  reused = false;
  let e = entry(i);
  const filetype = load<u8>(e + E_TYPE);
  const lead = load<u32>(e + E_A);
  if (filetype == FILETYPE_REGULAR_FILE && lead != 0 && lead <= image_count) {
    // Every name of a hard-linked file is the leader's inode (number lead).
    const g = groups.get(lead - 1);
    if (g >= 0) {
      reused = true;
      return changetype<Inode>(<usize>g);
    }
    i = lead - 1;
    e = entry(i);
  }
  const node = inode_make(<i32>i, filetype, load<u64>(e + E_MTIME));
  node.mode = load<u16>(e + E_MODE);
  if (filetype == FILETYPE_DIRECTORY) {
    if (load<u32>(e + E_B) > 0) node.image = <i32>i;
  } else if (filetype == FILETYPE_SYMBOLIC_LINK) {
    // The target's bytes stay in the image index (cap 0: not the inode's to free).
    node.data = image_strings + <usize>load<u32>(e + E_A);
    node.size = <u64>load<u32>(e + E_B);
  } else {
    node.size = load<u64>(e + E_SIZE);
    // Its base size (the quota's) is read from this entry: inode.ts.
    if (node.size > 0) node.image = <i32>i;
    // The inode outlives the table's use of it: nlink counts every image name, populated or not.
    if (lead != 0 && lead <= image_count) groups.set(i, <u32>changetype<usize>(node));
  }
  return node;
}

/** Makes inodes for the children of image directory `d` (entry `i`). */
export function image_populate(d: Inode, i: u32): void {
  const e = entry(i);
  const first = load<u32>(e + E_A);
  const n = load<u32>(e + E_B);
  if (<u64>first + n > image_count) return;
  for (let c = first; c < first + n; c++) {
    const ce = entry(c);
    const child = inode_from_entry(c);
    const fresh = !reused;
    const name = image_strings + <usize>load<u32>(ce + E_NAME_OFF);
    const len = load<u32>(ce + E_NAME_LEN);
    dir_insert(d, name, len, bytes_hash(name, <usize>len), child);
    // A hard-linked file counts all its image names from the start, so that
    // nlink is right before every directory naming it has been populated.
    if (load<u8>(ce + E_TYPE) == FILETYPE_REGULAR_FILE && load<u32>(ce + E_A) != 0) {
      if (fresh) child.nlink = load<u32>(ce + E_B);
      else child.nlink--;
    }
  }
}

/** Subdirectories of image directory entry `i`, without making inodes (stat's nlink). */
export function image_subdirs(i: u32): u32 {
  const e = entry(i);
  const first = load<u32>(e + E_A);
  const n = load<u32>(e + E_B);
  if (<u64>first + n > image_count) return 0;
  let dirs: u32 = 0;
  for (let c = first; c < first + n; c++) if (load<u8>(entry(c) + E_TYPE) == FILETYPE_DIRECTORY) dirs++;
  return dirs;
}

/** Copies a regular file's image bytes into `dst` (file.size bytes). */
export function image_copy_file(i: u32, dst: usize, len: u64): void {
  image_copy_range(i, dst, 0, len);
}

/** Copies `len` bytes of a regular file's image bytes from offset `at` into `dst`. */
export function image_copy_range(i: u32, dst: usize, at: u64, len: u64): void {
  const e = entry(i);
  if (load<u8>(e + E_TYPE) != FILETYPE_REGULAR_FILE) return;
  config_copy(1, dst, load<u32>(e + E_DATA_OFF) + <u32>at, <u32>len);
}
