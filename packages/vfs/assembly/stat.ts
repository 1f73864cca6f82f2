// filestat and timestamps, shared by the fd_* and path_* families.

import * as app from "../../abi/assembly/app";
import {
  ERRNO_INVAL, ERRNO_SUCCESS, FILESTAT_ATIM_OFFSET, FILESTAT_CTIM_OFFSET, FILESTAT_DEV_OFFSET,
  FILESTAT_FILETYPE_OFFSET, FILESTAT_INO_OFFSET, FILESTAT_MTIM_OFFSET, FILESTAT_NLINK_OFFSET,
  FILESTAT_SIZE_OFFSET, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW,
} from "../../abi/assembly/constants";
import { image_subdirs } from "./image";
import { Inode, now } from "./inode";

/** Every vfs inode reports this device: one filesystem. */
const DEV: u64 = 1;
/** Directory sizes are reported as ext4 does for a small directory. */
const DIR_SIZE: u64 = 4096;

export function write_filestat(i: Inode, buf: u32): void {
  let nlink = <u64>i.nlink;
  let size = i.size;
  if (i.isDir) {
    // "." and the parent's entry, plus each subdirectory's ".."; 0 once removed.
    // An image directory not read yet counts from the image, making no inodes.
    const subdirs = i.image >= 0 ? image_subdirs(<u32>i.image) : i.dir!.subdirs;
    nlink = i.nlink == 0 ? 0 : 2 + <u64>subdirs;
    size = DIR_SIZE;
  }
  // Straight into the app's buffer, a word at a time (cheaper than a record and a memory.copy: abi/assembly/copy.ts).
  app.store_u64(buf + FILESTAT_DEV_OFFSET, DEV);
  app.store_u64(buf + FILESTAT_INO_OFFSET, i.ino);
  app.store_u64(buf + FILESTAT_FILETYPE_OFFSET, <u64>i.filetype); // the 7 padding bytes are zeroed too
  app.store_u64(buf + FILESTAT_NLINK_OFFSET, nlink);
  app.store_u64(buf + FILESTAT_SIZE_OFFSET, size);
  app.store_u64(buf + FILESTAT_ATIM_OFFSET, i.atim);
  app.store_u64(buf + FILESTAT_MTIM_OFFSET, i.mtim);
  app.store_u64(buf + FILESTAT_CTIM_OFFSET, i.ctim);
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
