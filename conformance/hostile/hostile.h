/* Shared helpers for the hostile programs: raw preview1 imports (so every
 * argument reaches the box exactly as written, with no libc check in front),
 * pointers at and past the end of memory, one line per call
 * ("label -> ERRNO") and a health check after each group. */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define IMPORT(n) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#n)))
typedef int32_t i32;
typedef int64_t i64;

IMPORT(args_get) i32 raw_args_get(i32, i32);
IMPORT(args_sizes_get) i32 raw_args_sizes_get(i32, i32);
IMPORT(environ_get) i32 raw_environ_get(i32, i32);
IMPORT(environ_sizes_get) i32 raw_environ_sizes_get(i32, i32);
IMPORT(clock_res_get) i32 raw_clock_res_get(i32, i32);
IMPORT(clock_time_get) i32 raw_clock_time_get(i32, i64, i32);
IMPORT(fd_advise) i32 raw_fd_advise(i32, i64, i64, i32);
IMPORT(fd_allocate) i32 raw_fd_allocate(i32, i64, i64);
IMPORT(fd_close) i32 raw_fd_close(i32);
IMPORT(fd_datasync) i32 raw_fd_datasync(i32);
IMPORT(fd_fdstat_get) i32 raw_fd_fdstat_get(i32, i32);
IMPORT(fd_fdstat_set_flags) i32 raw_fd_fdstat_set_flags(i32, i32);
IMPORT(fd_fdstat_set_rights) i32 raw_fd_fdstat_set_rights(i32, i64, i64);
IMPORT(fd_filestat_get) i32 raw_fd_filestat_get(i32, i32);
IMPORT(fd_filestat_set_size) i32 raw_fd_filestat_set_size(i32, i64);
IMPORT(fd_filestat_set_times) i32 raw_fd_filestat_set_times(i32, i64, i64, i32);
IMPORT(fd_pread) i32 raw_fd_pread(i32, i32, i32, i64, i32);
IMPORT(fd_prestat_get) i32 raw_fd_prestat_get(i32, i32);
IMPORT(fd_prestat_dir_name) i32 raw_fd_prestat_dir_name(i32, i32, i32);
IMPORT(fd_pwrite) i32 raw_fd_pwrite(i32, i32, i32, i64, i32);
IMPORT(fd_read) i32 raw_fd_read(i32, i32, i32, i32);
IMPORT(fd_readdir) i32 raw_fd_readdir(i32, i32, i32, i64, i32);
IMPORT(fd_renumber) i32 raw_fd_renumber(i32, i32);
IMPORT(fd_seek) i32 raw_fd_seek(i32, i64, i32, i32);
IMPORT(fd_sync) i32 raw_fd_sync(i32);
IMPORT(fd_tell) i32 raw_fd_tell(i32, i32);
IMPORT(fd_write) i32 raw_fd_write(i32, i32, i32, i32);
IMPORT(path_create_directory) i32 raw_path_create_directory(i32, i32, i32);
IMPORT(path_filestat_get) i32 raw_path_filestat_get(i32, i32, i32, i32, i32);
IMPORT(path_filestat_set_times) i32 raw_path_filestat_set_times(i32, i32, i32, i32, i64, i64, i32);
IMPORT(path_link) i32 raw_path_link(i32, i32, i32, i32, i32, i32, i32);
IMPORT(path_open) i32 raw_path_open(i32, i32, i32, i32, i32, i64, i64, i32, i32);
IMPORT(path_readlink) i32 raw_path_readlink(i32, i32, i32, i32, i32, i32);
IMPORT(path_remove_directory) i32 raw_path_remove_directory(i32, i32, i32);
IMPORT(path_rename) i32 raw_path_rename(i32, i32, i32, i32, i32, i32);
IMPORT(path_symlink) i32 raw_path_symlink(i32, i32, i32, i32, i32);
IMPORT(path_unlink_file) i32 raw_path_unlink_file(i32, i32, i32);
IMPORT(poll_oneoff) i32 raw_poll_oneoff(i32, i32, i32, i32);
IMPORT(proc_raise) i32 raw_proc_raise(i32);
IMPORT(sched_yield) i32 raw_sched_yield(void);
IMPORT(random_get) i32 raw_random_get(i32, i32);
IMPORT(sock_accept) i32 raw_sock_accept(i32, i32, i32);
IMPORT(sock_recv) i32 raw_sock_recv(i32, i32, i32, i32, i32, i32);
IMPORT(sock_send) i32 raw_sock_send(i32, i32, i32, i32, i32);
IMPORT(sock_shutdown) i32 raw_sock_shutdown(i32, i32);

static __attribute__((unused)) const char *ename(int e) {
  static char other[16];
  switch (e) {
#define NAME(x) case __WASI_ERRNO_##x: return "E" #x;
    case 0: return "ok";
    NAME(2BIG) NAME(ACCES) NAME(AGAIN) NAME(BADF) NAME(BUSY) NAME(EXIST)
    NAME(FAULT) NAME(FBIG) NAME(INVAL) NAME(IO) NAME(ISDIR) NAME(LOOP)
    NAME(MFILE) NAME(NAMETOOLONG) NAME(NOBUFS) NAME(NOENT) NAME(NOMEM)
    NAME(NOSPC) NAME(NOSYS) NAME(NOTDIR) NAME(NOTEMPTY) NAME(NOTSUP)
    NAME(NOTCAPABLE) NAME(NXIO) NAME(OVERFLOW) NAME(PERM) NAME(SPIPE)
    NAME(XDEV) NAME(ROFS) NAME(MLINK) NAME(RANGE) NAME(NOTSOCK) NAME(NOTCONN)
#undef NAME
    default: snprintf(other, sizeof other, "E#%d", e); return other;
  }
}

/* one line per call: the label names the arguments symbolically */
static __attribute__((unused)) int T(const char *label, int e) {
  printf("%s -> %s\n", label, ename(e));
  return e;
}

/* the first byte past the app memory, as it is now */
static __attribute__((unused)) uint32_t END(void) { return (uint32_t)__builtin_wasm_memory_size(0) * 65536u; }
#define BEYOND ((i32)0xfffffff0u)
#define LAST ((i32)0xffffffffu)
#define P(x) ((i32)(uintptr_t)(x))

/* fds no program has: negative, at the table's end, past it, huge */
static const i32 BAD_FDS[] = {-1, 1023, 1024, 0x7fffffff, (i32)0x80000000u, 200};
static const char *const BAD_FD_NAMES[] = {"-1", "1023", "1024", "0x7fffffff", "0x80000000", "200(unused)"};
#define NBAD (sizeof BAD_FDS / sizeof BAD_FDS[0])

static char label_buf[256];
static __attribute__((unused)) const char *L(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(label_buf, sizeof label_buf, fmt, ap);
  va_end(ap);
  return label_buf;
}

static int failures;

/* A normal call sequence that must still work: create, write, read back, stat, close, unlink. */
static __attribute__((unused)) void healthy(const char *group) {
  static const char name[] = "hostile-health";
  i32 fd = -1;
  const char *why = NULL;
  int e = raw_path_open(3, 0, P(name), sizeof name - 1, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, P(&fd));
  if (e) why = "path_open";
  char in[8] = {0};
  __wasi_ciovec_t w = {(const uint8_t *)"healthy", 7};
  __wasi_iovec_t r = {(uint8_t *)in, sizeof in};
  __wasi_size_t n = 0;
  __wasi_filesize_t pos = 1;
  __wasi_filestat_t st;
  __wasi_fdstat_t fst;
  if (!why && ((e = raw_fd_write(fd, P(&w), 1, P(&n))) || n != 7)) why = "fd_write";
  if (!why && (raw_fd_seek(fd, 0, __WASI_WHENCE_SET, P(&pos)) || pos != 0)) why = "fd_seek";
  if (!why && (raw_fd_read(fd, P(&r), 1, P(&n)) || n != 7 || memcmp(in, "healthy", 7))) why = "fd_read";
  if (!why && (raw_fd_filestat_get(fd, P(&st)) || st.size != 7)) why = "fd_filestat_get";
  if (!why && raw_fd_close(fd)) why = "fd_close";
  if (!why && raw_path_unlink_file(3, P(name), sizeof name - 1)) why = "path_unlink_file";
  if (!why && (raw_fd_fdstat_get(3, P(&fst)) || fst.fs_filetype != __WASI_FILETYPE_DIRECTORY)) why = "fd_fdstat_get on the preopen";
  if (!why && raw_fd_fdstat_get(1, P(&fst))) why = "fd_fdstat_get on stdout";
  if (why) failures++;
  if (why) printf("check %s: BROKEN at %s (%s)\n", group, why, ename(e));
  else printf("check %s: ok\n", group);
  fflush(stdout);
}

#endif
