// The kernel: owner of the box's fd namespace and its preview1 fd surface.
// The linker binds the program's fd-taking imports to these exports and calls
// `init` from the box's _start wrapper before the program runs.

import { DRIVER_VFS, fd_lowest_free, fd_set, fdtable_init } from "./fdtable";
import { host_register_preopens, host_register_sockets, host_register_stdio, RIGHTS_ALL } from "./host";
import * as vfs from "./vfs";

export {
  fd_read, fd_write, fd_pread, fd_pwrite, fd_seek, fd_tell, fd_advise, fd_allocate,
  fd_sync, fd_datasync, fd_readdir,
} from "./fd_io";
export {
  fd_close, fd_renumber, fd_fdstat_get, fd_fdstat_set_flags, fd_fdstat_set_rights,
  fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, fd_prestat_get, fd_prestat_dir_name,
} from "./fd_meta";
export {
  path_open, path_create_directory, path_remove_directory, path_unlink_file, path_filestat_get,
  path_filestat_set_times, path_readlink, path_symlink, path_link, path_rename,
} from "./path";
export { sock_accept, sock_recv, sock_send, sock_shutdown } from "./sock";
export { poll_oneoff } from "./poll";

/**
 * Sets up the fd table as wasi-libc expects to scan it (DESIGN.md §3): stdio
 * on 0-2, then the vfs's preopen (`/` only: no `.` for the working
 * directory), then the host's preopens in host order (mount points), then
 * the host's listening sockets (--listen order when the net driver adopts them).
 */
export function init(): void {
  fdtable_init();
  host_register_stdio();
  const n = vfs.preopen_count();
  for (let i: u32 = 0; i < n; i++) {
    const fd = fd_lowest_free();
    if (fd < 0) break;
    fd_set(<u32>fd, DRIVER_VFS, vfs.preopen(i), RIGHTS_ALL, RIGHTS_ALL, 0, true);
  }
  // Without a vfs the host's directories are the box's filesystem; with one,
  // only the mount points declared at link time reach the host.
  host_register_preopens(n > 0);
  // Listening sockets come last: wasi-libc's preopen scan stops at the first
  // fd that is not a directory, so programs still see every directory.
  host_register_sockets();
}
