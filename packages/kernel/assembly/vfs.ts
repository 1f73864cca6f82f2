// The vfs driver's entry points (DESIGN.md §3), imported from the vfs
// capability. When the box has no vfs the linker stands in stubs that answer
// zeros: preopen_count() is then 0, no fd ever belongs to the vfs, and none
// of the others is called.
//
// Contract: `h` is the vfs's own handle; app pointers are already checked by
// the kernel; results are preview1 errnos, except path_open, which returns
// the new handle (>= 0) or the negated errno.

@external("box:vfs", "preopen_count") export declare function preopen_count(): u32;
@external("box:vfs", "preopen") export declare function preopen(i: u32): u32;
@external("box:vfs", "fd_prestat_get") export declare function fd_prestat_get(h: u32, buf: u32): u16;
@external("box:vfs", "fd_prestat_dir_name") export declare function fd_prestat_dir_name(h: u32, path: u32, path_len: u32): u16;
@external("box:vfs", "fd_read") export declare function fd_read(h: u32, iovs: u32, iovs_len: u32, nread: u32): u16;
@external("box:vfs", "fd_pread") export declare function fd_pread(h: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32): u16;
@external("box:vfs", "fd_write") export declare function fd_write(h: u32, iovs: u32, iovs_len: u32, nwritten: u32): u16;
@external("box:vfs", "fd_pwrite") export declare function fd_pwrite(h: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32): u16;
@external("box:vfs", "fd_seek") export declare function fd_seek(h: u32, offset: i64, whence: u8, newoffset: u32): u16;
@external("box:vfs", "fd_tell") export declare function fd_tell(h: u32, offset: u32): u16;
@external("box:vfs", "fd_advise") export declare function fd_advise(h: u32, offset: u64, len: u64, advice: u8): u16;
@external("box:vfs", "fd_allocate") export declare function fd_allocate(h: u32, offset: u64, len: u64): u16;
@external("box:vfs", "fd_sync") export declare function fd_sync(h: u32): u16;
@external("box:vfs", "fd_datasync") export declare function fd_datasync(h: u32): u16;
@external("box:vfs", "fd_fdstat_get") export declare function fd_fdstat_get(h: u32, buf: u32): u16;
@external("box:vfs", "fd_fdstat_set_flags") export declare function fd_fdstat_set_flags(h: u32, flags: u16): u16;
@external("box:vfs", "fd_filestat_get") export declare function fd_filestat_get(h: u32, buf: u32): u16;
@external("box:vfs", "fd_filestat_set_size") export declare function fd_filestat_set_size(h: u32, size: u64): u16;
@external("box:vfs", "fd_filestat_set_times") export declare function fd_filestat_set_times(h: u32, atim: u64, mtim: u64, fst_flags: u16): u16;
@external("box:vfs", "fd_readdir") export declare function fd_readdir(h: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32): u16;
@external("box:vfs", "fd_close") export declare function fd_close(h: u32): u16;
@external("box:vfs", "path_open") export declare function path_open(h: u32, dirflags: u32, path: u32, path_len: u32, oflags: u16, rights_base: u64, rights_inheriting: u64, fdflags: u16): i32;
@external("box:vfs", "path_create_directory") export declare function path_create_directory(h: u32, path: u32, path_len: u32): u16;
@external("box:vfs", "path_remove_directory") export declare function path_remove_directory(h: u32, path: u32, path_len: u32): u16;
@external("box:vfs", "path_unlink_file") export declare function path_unlink_file(h: u32, path: u32, path_len: u32): u16;
@external("box:vfs", "path_filestat_get") export declare function path_filestat_get(h: u32, flags: u32, path: u32, path_len: u32, buf: u32): u16;
@external("box:vfs", "path_filestat_set_times") export declare function path_filestat_set_times(h: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u16): u16;
@external("box:vfs", "path_readlink") export declare function path_readlink(h: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, bufused: u32): u16;
@external("box:vfs", "path_symlink") export declare function path_symlink(old_path: u32, old_path_len: u32, h: u32, new_path: u32, new_path_len: u32): u16;
@external("box:vfs", "path_link") export declare function path_link(old_h: u32, old_flags: u32, old_path: u32, old_path_len: u32, new_h: u32, new_path: u32, new_path_len: u32): u16;
@external("box:vfs", "path_rename") export declare function path_rename(old_h: u32, old_path: u32, old_path_len: u32, new_h: u32, new_path: u32, new_path_len: u32): u16;
