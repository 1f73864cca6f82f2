/* Every path_* function with invalid directory fds, path pointers at and
 * past the end of memory, lengths overflowing 32 bits, invalid lookup flags,
 * oflags, fdflags, fst flags and rights; after each group a normal call
 * sequence must still work. */
#include "hostile.h"

static __wasi_fd_t fd_out;
static __wasi_filestat_t st;
static char buf[64];
static __wasi_size_t n;

/* every path_* function with this directory fd and (path, len) in every path position */
static void all_paths(const char *what_, i32 dir, i32 path, i32 len) {
  char what[64];
  snprintf(what, sizeof what, "%s", what_);
  const i32 ok = P("hostile-path/file");
  const i32 ok_len = 17;
  T(L("path_create_directory %s", what), raw_path_create_directory(dir, path, len));
  T(L("path_filestat_get %s", what), raw_path_filestat_get(dir, 0, path, len, P(&st)));
  T(L("path_filestat_set_times %s", what), raw_path_filestat_set_times(dir, 0, path, len, 0, 0, 0));
  T(L("path_link old %s", what), raw_path_link(dir, 0, path, len, 3, P("hostile-path/l1"), 15));
  T(L("path_link new %s", what), raw_path_link(3, 0, ok, ok_len, dir, path, len));
  T(L("path_open %s", what), raw_path_open(dir, 0, path, len, 0, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  T(L("path_readlink %s", what), raw_path_readlink(dir, path, len, P(buf), sizeof buf, P(&n)));
  T(L("path_remove_directory %s", what), raw_path_remove_directory(dir, path, len));
  T(L("path_rename old %s", what), raw_path_rename(dir, path, len, 3, P("hostile-path/r1"), 15));
  T(L("path_rename new %s", what), raw_path_rename(3, P("hostile-path/none"), 17, dir, path, len));
  T(L("path_symlink target %s", what), raw_path_symlink(path, len, 3, P("hostile-path/s1"), 15));
  T(L("path_symlink link %s", what), raw_path_symlink(P("file"), 4, dir, path, len));
  T(L("path_unlink_file %s", what), raw_path_unlink_file(dir, path, len));
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  T("setup mkdir", raw_path_create_directory(3, P("hostile-path"), 12));
  i32 f = -1;
  T("setup create", raw_path_open(3, 0, P("hostile-path/file"), 17, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_READ, 0, 0, P(&f)));
  __wasi_ciovec_t w = {(const uint8_t *)"abc", 3};
  T("setup write", raw_fd_write(f, P(&w), 1, P(&n)));
  T("setup symlink", raw_path_symlink(P("file"), 4, 3, P("hostile-path/link"), 17));
  healthy("setup");

  /* 1. invalid directory fds (and a file as the directory) */
  for (unsigned i = 0; i < NBAD; i++) {
    all_paths(L("dirfd=%s", BAD_FD_NAMES[i]), BAD_FDS[i], P("hostile-path/x"), 14);
  }
  all_paths("dirfd=file", f, P("x"), 1);
  all_paths("dirfd=stdout", 1, P("x"), 1);
  healthy("invalid directory fds");

  /* 2. paths at and past the end of memory, and lengths overflowing 32 bits */
  uint32_t end = END();
  all_paths("path=END len=1", 3, (i32)end, 1);
  all_paths("path=END-2 len=4", 3, (i32)(end - 2), 4);
  all_paths("path=BEYOND len=0x20", 3, BEYOND, 0x20);
  all_paths("path=0x10 len=0xfffffff8", 3, 0x10, (i32)0xfffffff8u);
  all_paths("len=0xffffffff", 3, P("x"), (i32)0xffffffffu);
  all_paths("len=0x7fffffff", 3, P("x"), 0x7fffffff);
  healthy("path pointers");

  /* 3. result pointers past the end */
  T("path_open fd out=END", raw_path_open(3, 0, P("hostile-path/file"), 17, 0, __WASI_RIGHTS_FD_READ, 0, 0, (i32)end));
  T("path_open fd out=BEYOND", raw_path_open(3, 0, P("hostile-path/file"), 17, 0, __WASI_RIGHTS_FD_READ, 0, 0, BEYOND));
  T("path_open CREAT fd out=END", raw_path_open(3, 0, P("hostile-path/new"), 16, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, (i32)end));
  T("path_filestat_get buf=END-8", raw_path_filestat_get(3, 0, P("hostile-path/file"), 17, (i32)(end - 8)));
  T("path_filestat_get buf=LAST", raw_path_filestat_get(3, 0, P("hostile-path/file"), 17, LAST));
  T("path_readlink buf=END len=8", raw_path_readlink(3, P("hostile-path/link"), 17, (i32)end, 8, P(&n)));
  T("path_readlink buf=BEYOND len=0x20", raw_path_readlink(3, P("hostile-path/link"), 17, BEYOND, 0x20, P(&n)));
  T("path_readlink len=0xffffffff", raw_path_readlink(3, P("hostile-path/link"), 17, P(buf), (i32)0xffffffffu, P(&n)));
  T("path_readlink bufused=END", raw_path_readlink(3, P("hostile-path/link"), 17, P(buf), sizeof buf, (i32)end));
  healthy("result pointers");

  /* 4. invalid flags and rights */
  T("path_open oflags=0xfff0", raw_path_open(3, 0, P("hostile-path/file"), 17, 0xfff0, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  T("path_open fdflags=0xffe0", raw_path_open(3, 0, P("hostile-path/file"), 17, 0, __WASI_RIGHTS_FD_READ, 0, 0xffe0, P(&fd_out)));
  T("path_open dirflags=0xfffe", raw_path_open(3, 0xfffe, P("hostile-path/file"), 17, 0, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  T("path_open CREAT|DIRECTORY", raw_path_open(3, 0, P("hostile-path/cd"), 15, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, 0, 0, 0, P(&fd_out)));
  T("path_open EXCL on existing", raw_path_open(3, 0, P("hostile-path/file"), 17, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  T("path_open DIRECTORY on file", raw_path_open(3, 0, P("hostile-path/file"), 17, __WASI_OFLAGS_DIRECTORY, 0, 0, 0, P(&fd_out)));
  T("setup trunc", raw_path_open(3, 0, P("hostile-path/t"), 14, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  T("path_open TRUNC without write right", raw_path_open(3, 0, P("hostile-path/t"), 14, __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  T("path_open all rights bits", raw_path_open(3, 0, P("hostile-path/file"), 17, 0, -1, -1, 0, P(&fd_out)));
  T("path_open from a fd without PATH_OPEN", raw_path_open(f, 0, P("x"), 1, 0, 0, 0, 0, P(&fd_out)));
  T("path_open NUL in path", raw_path_open(3, 0, P("hostile-path/file\0x"), 19, 0, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  {
    static char name[13 + 300 + 1] = "hostile-path/";
    memset(name + 13, 'a', 300);
    T("path_open name of 300 bytes", raw_path_open(3, 0, P(name), 313, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  }
  T("path_open escaping the preopen", raw_path_open(3, 0, P("../../etc/passwd"), 16, 0, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd_out)));
  T("path_filestat_get flags=0xfffe", raw_path_filestat_get(3, 0xfffe, P("hostile-path/file"), 17, P(&st)));
  T("path_filestat_set_times ATIM|ATIM_NOW", raw_path_filestat_set_times(3, 0, P("hostile-path/file"), 17, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  T("path_filestat_set_times fst_flags=0xfff0", raw_path_filestat_set_times(3, 0, P("hostile-path/file"), 17, 0, 0, 0xfff0));
  T("path_link flags=0xfffe", raw_path_link(3, 0xfffe, P("hostile-path/file"), 17, 3, P("hostile-path/l2"), 15));
  T("path_remove_directory on a file", raw_path_remove_directory(3, P("hostile-path/file"), 17));
  T("path_remove_directory on the preopen", raw_path_remove_directory(3, P("."), 1));
  T("path_unlink_file on a directory", raw_path_unlink_file(3, P("hostile-path"), 12));
  T("path_rename dir into itself", raw_path_rename(3, P("hostile-path"), 12, 3, P("hostile-path/inner"), 18));
  T("path_symlink empty target", raw_path_symlink(P(""), 0, 3, P("hostile-path/s2"), 15));
  T("path_readlink on a file", raw_path_readlink(3, P("hostile-path/file"), 17, P(buf), sizeof buf, P(&n)));
  healthy("flags");

  /* 5. the file and link are as they were */
  T("path_filestat_get file", raw_path_filestat_get(3, 0, P("hostile-path/file"), 17, P(&st)));
  printf("file size: %llu\n", (unsigned long long)st.size);
  memset(buf, 0, sizeof buf);
  T("path_readlink link", raw_path_readlink(3, P("hostile-path/link"), 17, P(buf), sizeof buf, P(&n)));
  printf("link: \"%.*s\"\n", (int)n, buf);
  healthy("end");
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
