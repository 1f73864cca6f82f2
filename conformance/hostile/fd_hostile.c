/* Every fd_* function with invalid fds, pointers at and past the end of
 * memory, lengths whose sum overflows 32 bits, huge iovec counts and invalid
 * flags, whence and advice; after each group a normal call sequence must
 * still work. */
#include "hostile.h"

#define RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | \
            __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | \
            __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_SYNC | \
            __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS)

static i32 open_file(const char *name) {
  i32 fd = -1;
  int e = raw_path_open(3, 0, P(name), (i32)strlen(name), __WASI_OFLAGS_CREAT, RW, 0, 0, P(&fd));
  if (e) {
    printf("setup open %s -> %s\n", name, ename(e));
    exit(2);
  }
  return fd;
}

static i32 open_dir(const char *name) {
  i32 fd = -1;
  int e = raw_path_open(3, 0, P(name), (i32)strlen(name), __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN, 0, 0, P(&fd));
  if (e) {
    printf("setup open dir %s -> %s\n", name, ename(e));
    exit(2);
  }
  return fd;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  raw_path_create_directory(3, P("hostile-fd"), 10);
  i32 f = open_file("hostile-fd/file");
  i32 d = open_dir("hostile-fd");
  char buf[64];
  __wasi_size_t n = 0;
  uint64_t u64 = 0;
  __wasi_fdstat_t fst;
  __wasi_filestat_t st;
  __wasi_prestat_t pre;
  __wasi_ciovec_t wok = {(const uint8_t *)"0123456789", 10};
  __wasi_iovec_t rok = {(uint8_t *)buf, sizeof buf};
  T("setup write", raw_fd_write(f, P(&wok), 1, P(&n)));
  healthy("setup");

  /* 1. invalid fds: every fd_* function with valid other arguments */
  for (unsigned i = 0; i < NBAD; i++) {
    i32 b = BAD_FDS[i];
    const char *s = BAD_FD_NAMES[i];
    T(L("fd_advise fd=%s", s), raw_fd_advise(b, 0, 10, __WASI_ADVICE_NORMAL));
    T(L("fd_allocate fd=%s", s), raw_fd_allocate(b, 0, 10));
    T(L("fd_close fd=%s", s), raw_fd_close(b));
    T(L("fd_datasync fd=%s", s), raw_fd_datasync(b));
    T(L("fd_fdstat_get fd=%s", s), raw_fd_fdstat_get(b, P(&fst)));
    T(L("fd_fdstat_set_flags fd=%s", s), raw_fd_fdstat_set_flags(b, 0));
    T(L("fd_fdstat_set_rights fd=%s", s), raw_fd_fdstat_set_rights(b, 0, 0));
    T(L("fd_filestat_get fd=%s", s), raw_fd_filestat_get(b, P(&st)));
    T(L("fd_filestat_set_size fd=%s", s), raw_fd_filestat_set_size(b, 0));
    T(L("fd_filestat_set_times fd=%s", s), raw_fd_filestat_set_times(b, 0, 0, 0));
    T(L("fd_pread fd=%s", s), raw_fd_pread(b, P(&rok), 1, 0, P(&n)));
    T(L("fd_prestat_get fd=%s", s), raw_fd_prestat_get(b, P(&pre)));
    T(L("fd_prestat_dir_name fd=%s", s), raw_fd_prestat_dir_name(b, P(buf), sizeof buf));
    T(L("fd_pwrite fd=%s", s), raw_fd_pwrite(b, P(&wok), 1, 0, P(&n)));
    T(L("fd_read fd=%s", s), raw_fd_read(b, P(&rok), 1, P(&n)));
    T(L("fd_readdir fd=%s", s), raw_fd_readdir(b, P(buf), sizeof buf, 0, P(&n)));
    T(L("fd_renumber from fd=%s", s), raw_fd_renumber(b, f));
    T(L("fd_renumber to fd=%s", s), raw_fd_renumber(f, b));
    T(L("fd_seek fd=%s", s), raw_fd_seek(b, 0, __WASI_WHENCE_SET, P(&u64)));
    T(L("fd_sync fd=%s", s), raw_fd_sync(b));
    T(L("fd_tell fd=%s", s), raw_fd_tell(b, P(&u64)));
    T(L("fd_write fd=%s", s), raw_fd_write(b, P(&wok), 1, P(&n)));
  }
  healthy("invalid fds");

  /* 2. result pointers at the end of memory, straddling it, and near 4 GiB */
  uint32_t end = END();
  struct { const char *name; i32 at; } outs[] = {{"END", (i32)end}, {"END-2", (i32)(end - 2)}, {"BEYOND", BEYOND}, {"LAST", LAST}};
  for (unsigned i = 0; i < 4; i++) {
    const char *s = outs[i].name;
    i32 p = outs[i].at;
    T(L("fd_fdstat_get out=%s", s), raw_fd_fdstat_get(f, p));
    T(L("fd_filestat_get out=%s", s), raw_fd_filestat_get(f, p));
    T(L("fd_prestat_get out=%s", s), raw_fd_prestat_get(3, p));
    T(L("fd_prestat_dir_name buf=%s len=1", s), raw_fd_prestat_dir_name(3, p, 1));
    T(L("fd_seek out=%s", s), raw_fd_seek(f, 0, __WASI_WHENCE_CUR, p));
    T(L("fd_tell out=%s", s), raw_fd_tell(f, p));
    T(L("fd_read nread=%s", s), raw_fd_read(f, P(&rok), 1, p));
    T(L("fd_write nwritten=%s", s), raw_fd_write(f, P(&wok), 1, p));
    T(L("fd_pread nread=%s", s), raw_fd_pread(f, P(&rok), 1, 0, p));
    T(L("fd_pwrite nwritten=%s", s), raw_fd_pwrite(f, P(&wok), 1, 0, p));
    T(L("fd_readdir buf=%s len=64", s), raw_fd_readdir(d, p, 64, 0, P(&n)));
    T(L("fd_readdir bufused=%s", s), raw_fd_readdir(d, P(buf), sizeof buf, 0, p));
    T(L("fd_read iovs=%s", s), raw_fd_read(f, p, 1, P(&n)));
    T(L("fd_write iovs=%s", s), raw_fd_write(f, p, 1, P(&n)));
    T(L("fd_write stdout iovs=%s", s), raw_fd_write(1, p, 1, P(&n)));
    T(L("fd_pread iovs=%s", s), raw_fd_pread(f, p, 1, 0, P(&n)));
    T(L("fd_pwrite iovs=%s", s), raw_fd_pwrite(f, p, 1, 0, P(&n)));
  }
  healthy("result pointers");

  /* 3. buffers: past the end, overflowing 32 bits, and iovec counts that overflow */
  __wasi_iovec_t r_end = {(uint8_t *)(uintptr_t)(end - 4), 8};
  __wasi_iovec_t r_wrap = {(uint8_t *)(uintptr_t)0xfffffff0u, 0x20};
  __wasi_iovec_t r_huge = {(uint8_t *)buf, 0xffffffffu};
  __wasi_ciovec_t w_end = {(const uint8_t *)(uintptr_t)(end - 4), 8};
  __wasi_ciovec_t w_wrap = {(const uint8_t *)(uintptr_t)0xfffffff0u, 0x20};
  __wasi_ciovec_t w_huge = {(const uint8_t *)buf, 0xffffffffu};
  __wasi_iovec_t r_two[2] = {{(uint8_t *)buf, 4}, {(uint8_t *)(uintptr_t)end, 1}};
  __wasi_ciovec_t w_two[2] = {{(const uint8_t *)buf, 4}, {(const uint8_t *)(uintptr_t)end, 1}};
  T("fd_read buf=END-4 len=8", raw_fd_read(f, P(&r_end), 1, P(&n)));
  T("fd_read buf=0xfffffff0 len=0x20", raw_fd_read(f, P(&r_wrap), 1, P(&n)));
  T("fd_read len=0xffffffff", raw_fd_read(f, P(&r_huge), 1, P(&n)));
  T("fd_read second iovec at END", raw_fd_read(f, P(r_two), 2, P(&n)));
  T("fd_pread buf=END-4 len=8", raw_fd_pread(f, P(&r_end), 1, 0, P(&n)));
  T("fd_pread buf=0xfffffff0 len=0x20", raw_fd_pread(f, P(&r_wrap), 1, 0, P(&n)));
  T("fd_pread len=0xffffffff", raw_fd_pread(f, P(&r_huge), 1, 0, P(&n)));
  T("fd_write buf=END-4 len=8", raw_fd_write(f, P(&w_end), 1, P(&n)));
  T("fd_write buf=0xfffffff0 len=0x20", raw_fd_write(f, P(&w_wrap), 1, P(&n)));
  T("fd_write len=0xffffffff", raw_fd_write(f, P(&w_huge), 1, P(&n)));
  T("fd_write second iovec at END", raw_fd_write(f, P(w_two), 2, P(&n)));
  T("fd_pwrite buf=END-4 len=8", raw_fd_pwrite(f, P(&w_end), 1, 0, P(&n)));
  T("fd_pwrite buf=0xfffffff0 len=0x20", raw_fd_pwrite(f, P(&w_wrap), 1, 0, P(&n)));
  T("fd_pwrite len=0xffffffff", raw_fd_pwrite(f, P(&w_huge), 1, 0, P(&n)));
  T("fd_write stdout buf=END-4 len=8", raw_fd_write(1, P(&w_end), 1, P(&n)));
  T("fd_write stdout buf=0xfffffff0 len=0x20", raw_fd_write(1, P(&w_wrap), 1, P(&n)));
  T("fd_write stderr len=0xffffffff", raw_fd_write(2, P(&w_huge), 1, P(&n)));
  static const i32 counts[] = {0x7fffffff, 0x20000000, (i32)0xffffffffu};
  static const char *const count_names[] = {"0x7fffffff", "0x20000000", "0xffffffff"};
  for (unsigned i = 0; i < 3; i++) {
    const char *s = count_names[i];
    T(L("fd_read iovs_len=%s", s), raw_fd_read(f, P(&rok), counts[i], P(&n)));
    T(L("fd_write iovs_len=%s", s), raw_fd_write(f, P(&wok), counts[i], P(&n)));
    T(L("fd_pread iovs_len=%s", s), raw_fd_pread(f, P(&rok), counts[i], 0, P(&n)));
    T(L("fd_pwrite iovs_len=%s", s), raw_fd_pwrite(f, P(&wok), counts[i], 0, P(&n)));
    T(L("fd_write stdout iovs_len=%s", s), raw_fd_write(1, P(&wok), counts[i], P(&n)));
  }
  /* many valid empty iovecs: more than Linux's IOV_MAX (1024) */
  static __wasi_iovec_t empty_r[1025];
  static __wasi_ciovec_t empty_w[1025];
  for (int i = 0; i < 1025; i++) empty_r[i].buf = (uint8_t *)buf, empty_w[i].buf = (const uint8_t *)buf;
  T("fd_read 1025 empty iovecs", raw_fd_read(f, P(empty_r), 1025, P(&n)));
  T("fd_write 1025 empty iovecs", raw_fd_write(f, P(empty_w), 1025, P(&n)));
  T("fd_write stdout 1025 empty iovecs", raw_fd_write(1, P(empty_w), 1025, P(&n)));
  T("fd_read iovs_len=0", raw_fd_read(f, P(&rok), 0, P(&n)));
  T("fd_write iovs_len=0", raw_fd_write(f, P(&wok), 0, P(&n)));
  T("fd_readdir buf=0x10 len=0xffffffff", raw_fd_readdir(d, 0x10, (i32)0xffffffffu, 0, P(&n)));
  T("fd_prestat_dir_name len=0xffffffff", raw_fd_prestat_dir_name(3, P(buf), (i32)0xffffffffu));
  T("fd_prestat_dir_name buf=0xfffffff0 len=0x20", raw_fd_prestat_dir_name(3, BEYOND, 0x20));
  healthy("buffers");

  /* 4. invalid whence, advice, flags, offsets and sizes */
  T("fd_seek whence=3", raw_fd_seek(f, 0, 3, P(&u64)));
  T("fd_seek whence=0xff", raw_fd_seek(f, 0, 0xff, P(&u64)));
  T("fd_seek whence=-1", raw_fd_seek(f, 0, -1, P(&u64)));
  T("fd_seek SET -1", raw_fd_seek(f, -1, __WASI_WHENCE_SET, P(&u64)));
  T("fd_seek CUR INT64_MIN", raw_fd_seek(f, INT64_MIN, __WASI_WHENCE_CUR, P(&u64)));
  T("fd_seek END INT64_MAX", raw_fd_seek(f, INT64_MAX, __WASI_WHENCE_END, P(&u64)));
  T("fd_seek directory", raw_fd_seek(d, 0, __WASI_WHENCE_SET, P(&u64)));
  T("fd_advise advice=6", raw_fd_advise(f, 0, 10, 6));
  T("fd_advise advice=0xff", raw_fd_advise(f, 0, 10, 0xff));
  T("fd_advise offset=-1", raw_fd_advise(f, -1, 10, __WASI_ADVICE_NORMAL));
  T("fd_advise len=-1", raw_fd_advise(f, 0, -1, __WASI_ADVICE_NORMAL));
  T("fd_allocate len=0", raw_fd_allocate(f, 0, 0));
  T("fd_allocate offset=-1", raw_fd_allocate(f, -1, 1));
  T("fd_allocate offset+len overflow", raw_fd_allocate(f, INT64_MAX, INT64_MAX));
  T("fd_allocate 4 GiB", raw_fd_allocate(f, 0, 1LL << 32));
  T("fd_fdstat_set_flags 0xffff", raw_fd_fdstat_set_flags(f, 0xffff));
  T("fd_fdstat_set_flags 0x20", raw_fd_fdstat_set_flags(f, 0x20));
  T("fd_fdstat_set_rights adds rights", raw_fd_fdstat_set_rights(d, -1, -1));
  T("fd_filestat_set_size -1", raw_fd_filestat_set_size(f, -1));
  T("fd_filestat_set_size INT64_MAX", raw_fd_filestat_set_size(f, INT64_MAX));
  T("fd_filestat_set_size 4 GiB", raw_fd_filestat_set_size(f, 1LL << 32));
  T("fd_filestat_set_times ATIM|ATIM_NOW", raw_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  T("fd_filestat_set_times MTIM|MTIM_NOW", raw_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
  T("fd_filestat_set_times flags=0xfff0", raw_fd_filestat_set_times(f, 0, 0, 0xfff0));
  T("fd_pread offset=-1", raw_fd_pread(f, P(&rok), 1, -1, P(&n)));
  T("fd_pwrite offset=-1", raw_fd_pwrite(f, P(&wok), 1, -1, P(&n)));
  T("fd_pwrite offset=INT64_MAX", raw_fd_pwrite(f, P(&wok), 1, INT64_MAX, P(&n)));
  T("fd_readdir on a file", raw_fd_readdir(f, P(buf), sizeof buf, 0, P(&n)));
  T("fd_readdir cookie=-1", raw_fd_readdir(d, P(buf), sizeof buf, -1, P(&n)));
  T("fd_readdir cookie=0x7fffffffffff", raw_fd_readdir(d, P(buf), sizeof buf, 0x7fffffffffffLL, P(&n)));
  T("fd_read on a directory", raw_fd_read(d, P(&rok), 1, P(&n)));
  T("fd_write on a directory", raw_fd_write(d, P(&wok), 1, P(&n)));
  T("fd_prestat_get on a file", raw_fd_prestat_get(f, P(&pre)));
  T("fd_prestat_dir_name on a file", raw_fd_prestat_dir_name(f, P(buf), sizeof buf));
  T("fd_prestat_dir_name len=0", raw_fd_prestat_dir_name(3, P(buf), 0));
  healthy("flags and offsets");

  /* 5. the file still holds what was written, at the position it had */
  T("fd_seek back to 0", raw_fd_seek(f, 0, __WASI_WHENCE_SET, P(&u64)));
  memset(buf, 0, sizeof buf);
  __wasi_iovec_t ten = {(uint8_t *)buf, 10};
  T("fd_read after all", raw_fd_read(f, P(&ten), 1, P(&n)));
  printf("contents: %u \"%.*s\"\n", (unsigned)n, (int)n, buf);
  T("fd_close file", raw_fd_close(f));
  T("fd_close file again", raw_fd_close(f));
  T("fd_close dir", raw_fd_close(d));
  healthy("end");
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
