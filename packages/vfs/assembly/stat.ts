// filestat and timestamps, shared by the fd_* and path_* families.

import * as app from "../../abi/assembly/app";
import {
  ERRNO_INVAL, ERRNO_SUCCESS, FILESTAT_ATIM_OFFSET, FILESTAT_CTIM_OFFSET, FILESTAT_DEV_OFFSET,
  FILESTAT_FILETYPE_OFFSET, FILESTAT_INO_OFFSET, FILESTAT_MTIM_OFFSET, FILESTAT_NLINK_OFFSET,
  FILESTAT_SIZE, FILESTAT_SIZE_OFFSET, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW,
} from "../../abi/assembly/constants";
import { dir_of } from "./directory";
import { image_subdirs } from "./image";
import { Inode, now } from "./inode";

/** Every vfs inode reports this device: one filesystem. */
const DEV: u64 = 1;
/** Directory sizes are reported as ext4 does for a small directory. */
const DIR_SIZE: u64 = 4096;
/** One filestat record, filled and then copied to the app. */
const RECORD: usize = memory.data(64, 8);

export function write_filestat(i: Inode, buf: u32): void {
  let nlink = <u64>i.nlink;
  let size = i.size;
  if (i.isDir) {
    // "." and the parent's entry, plus each subdirectory's ".."; 0 once removed.
    // An image directory not read yet counts from the image, making no inodes.
    const subdirs = i.image >= 0 ? image_subdirs(<u32>i.image) : dir_of(i).subdirs;
    nlink = i.nlink == 0 ? 0 : 2 + <u64>subdirs;
    size = DIR_SIZE;
  }
  // Built here and copied out whole: one box:app call instead of eight.
  const r = RECORD;
  store<u64>(r + FILESTAT_DEV_OFFSET, DEV);
  store<u64>(r + FILESTAT_INO_OFFSET, i.ino);
  store<u64>(r + FILESTAT_FILETYPE_OFFSET, <u64>i.filetype); // the 7 padding bytes are zeroed too
  store<u64>(r + FILESTAT_NLINK_OFFSET, nlink);
  store<u64>(r + FILESTAT_SIZE_OFFSET, size);
  store<u64>(r + FILESTAT_ATIM_OFFSET, i.atim);
  store<u64>(r + FILESTAT_MTIM_OFFSET, i.mtim);
  store<u64>(r + FILESTAT_CTIM_OFFSET, i.ctim);
  app.copy_out(buf, r, FILESTAT_SIZE);
}

/** fd_filestat_set_times / path_filestat_set_times: EINVAL for X and X_NOW together, or unknown flags. */
export function set_times(i: Inode, atim: u64, mtim: u64, fst_flags: u32): u16 {
  if (fst_flags & ~<u32>(FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM | FSTFLAGS_MTIM_NOW)) return ERRNO_INVAL;
  if ((fst_flags & FSTFLAGS_ATIM) && (fst_flags & FSTFLAGS_ATIM_NOW)) return ERRNO_INVAL;
  if ((fst_flags & FSTFLAGS_MTIM) && (fst_flags & FSTFLAGS_MTIM_NOW)) return ERRNO_INVAL;
  const t = now();
  if (fst_flags & FSTFLAGS_ATIM) i.atim = atim;
  else if (fst_flags & FSTFLAGS_ATIM_NOW) i.atim = t;
  if (fst_flags & FSTFLAGS_MTIM) i.mtim = mtim;
  else if (fst_flags & FSTFLAGS_MTIM_NOW) i.mtim = t;
  i.ctim = t;
  return ERRNO_SUCCESS;
}
