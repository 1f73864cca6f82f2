// The rights the host-directory driver reports in fd_fdstat_get, as wasmtime
// reports them: a directory holds no read, write or seek right (those are a
// file's), a file no path right; the kernel narrows them by the fd's own.

import * as R from '@marcotte/abi';

/** Every right but the two socket ones (SOCK_SHUTDOWN is bit 28, SOCK_ACCEPT bit 29). */
export const ALL_RIGHTS = (1n << 28n) - 1n;

export const DIRECTORY_RIGHTS = R.RIGHTS_PATH_CREATE_DIRECTORY | R.RIGHTS_PATH_CREATE_FILE | R.RIGHTS_PATH_LINK_SOURCE
  | R.RIGHTS_PATH_LINK_TARGET | R.RIGHTS_PATH_OPEN | R.RIGHTS_FD_READDIR | R.RIGHTS_PATH_READLINK | R.RIGHTS_PATH_RENAME_SOURCE
  | R.RIGHTS_PATH_RENAME_TARGET | R.RIGHTS_PATH_SYMLINK | R.RIGHTS_PATH_REMOVE_DIRECTORY | R.RIGHTS_PATH_UNLINK_FILE
  | R.RIGHTS_PATH_FILESTAT_GET | R.RIGHTS_PATH_FILESTAT_SET_TIMES | R.RIGHTS_FD_FILESTAT_GET | R.RIGHTS_FD_FILESTAT_SET_TIMES
  | R.RIGHTS_FD_FDSTAT_SET_FLAGS | R.RIGHTS_FD_SYNC;

/** Rights that make path_open open for reading, and for writing (wasmtime's split). */
export const READ_RIGHTS = R.RIGHTS_FD_READ | R.RIGHTS_FD_READDIR;
export const WRITE_RIGHTS = R.RIGHTS_FD_DATASYNC | R.RIGHTS_FD_WRITE | R.RIGHTS_FD_ALLOCATE | R.RIGHTS_FD_FILESTAT_SET_SIZE;

const FILE_RIGHTS = (ALL_RIGHTS & ~DIRECTORY_RIGHTS) | R.RIGHTS_FD_FILESTAT_GET | R.RIGHTS_FD_FILESTAT_SET_TIMES
  | R.RIGHTS_FD_FDSTAT_SET_FLAGS | R.RIGHTS_FD_SYNC;

/** A file's base rights, without what its open mode does not allow. */
export function fileRights(readable: boolean, writable: boolean): bigint {
  return FILE_RIGHTS & ~(readable ? 0n : R.RIGHTS_FD_READ) & ~(writable ? 0n : WRITE_RIGHTS);
}
