/* fd_io: reading and writing through fds: fd_write, fd_read, fd_pwrite,
 * fd_pread, fd_seek, fd_tell, fd_close, fd_advise, fd_allocate,
 * fd_datasync, fd_sync, fd_filestat_get, fd_filestat_set_size,
 * fd_fdstat_get, fd_fdstat_set_flags, with their error cases. */
#include "corpus.h"

static void read_back(const char *label, __wasi_fd_t fd, __wasi_filesize_t at) {
  char buf[64] = {0};
  __wasi_iovec_t iov = { (uint8_t *)buf, sizeof buf - 1 };
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_fd_pread(fd, &iov, 1, at, &n);
  printf("%s: %s \"%.*s\"\n", label, errno_name(e), (int)n, buf);
}

int main(void) {
  __wasi_errno_t e;
  __wasi_size_t n;
  __wasi_filesize_t pos;
  __wasi_filestat_t st;
  __wasi_fdstat_t fs;

  __wasi_fd_t image = open_at(ROOT, "hello.txt", 0, &e);
  check("open image file", e);
  read_back("read image file", image, 0);
  check("close image file", __wasi_fd_close(image));
  check("close again", __wasi_fd_close(image));

  __wasi_fd_t fd = open_at(ROOT, "fd_io.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, &e);
  check("create", e);
  check("write", write_all(fd, "hello world"));
  check("tell", __wasi_fd_tell(fd, &pos));
  printf("tell after write: %llu\n", (unsigned long long)pos);
  check("seek set 6", __wasi_fd_seek(fd, 6, __WASI_WHENCE_SET, &pos));
  char buf[16] = {0};
  __wasi_iovec_t iov = { (uint8_t *)buf, 5 };
  check("read", __wasi_fd_read(fd, &iov, 1, &n));
  printf("read got: \"%.*s\"\n", (int)n, buf);
  check("read at end", __wasi_fd_read(fd, &iov, 1, &n));
  printf("read at end got: %u\n", (unsigned)n);
  check("seek end -5", __wasi_fd_seek(fd, -5, __WASI_WHENCE_END, &pos));
  printf("seek end -5 at: %llu\n", (unsigned long long)pos);
  check("seek cur before start", __wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos));
  check("seek bad whence", __wasi_fd_seek(fd, 0, 7, &pos));

  __wasi_ciovec_t w = { (const uint8_t *)"WORLD", 5 };
  check("pwrite at 6", __wasi_fd_pwrite(fd, &w, 1, 6, &n));
  check("tell after pwrite", __wasi_fd_tell(fd, &pos));
  printf("pwrite leaves offset at: %llu\n", (unsigned long long)pos);
  read_back("pread all", fd, 0);
  read_back("pread past end", fd, 100);

  check("advise", __wasi_fd_advise(fd, 0, 11, __WASI_ADVICE_SEQUENTIAL));
  check("advise bad advice", __wasi_fd_advise(fd, 0, 11, 99));
  check("allocate 100", __wasi_fd_allocate(fd, 0, 100));
  check("filestat_get", __wasi_fd_filestat_get(fd, &st));
  printf("size after allocate: %llu type %u nlink %llu\n", (unsigned long long)st.size, st.filetype, (unsigned long long)st.nlink);
  check("set_size 4", __wasi_fd_filestat_set_size(fd, 4));
  __wasi_fd_filestat_get(fd, &st);
  printf("size after set_size: %llu\n", (unsigned long long)st.size);
  read_back("pread after set_size", fd, 0);
  check("datasync", __wasi_fd_datasync(fd));
  check("sync", __wasi_fd_sync(fd));

  check("fdstat_get", __wasi_fd_fdstat_get(fd, &fs));
  /* Only APPEND is compared: node:wasi reports other, host-dependent flag bits. */
  printf("fdstat type %u append %u\n", fs.fs_filetype, fs.fs_flags & __WASI_FDFLAGS_APPEND);
  check("set_flags append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  __wasi_fd_fdstat_get(fd, &fs);
  printf("append after set_flags: %u\n", fs.fs_flags & __WASI_FDFLAGS_APPEND);
  check("seek set 0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  check("append write", write_all(fd, "+tail"));
  read_back("after append", fd, 0);
  check("fdstat_get dir", __wasi_fd_fdstat_get(ROOT, &fs));
  printf("dir type %u\n", fs.fs_filetype);
  check("close", __wasi_fd_close(fd));

  /* Every call on an fd that is not open. */
  __wasi_fd_t bad = 99;
  check("write bad fd", write_all(bad, "x"));
  check("read bad fd", __wasi_fd_read(bad, &iov, 1, &n));
  check("pread bad fd", __wasi_fd_pread(bad, &iov, 1, 0, &n));
  check("pwrite bad fd", __wasi_fd_pwrite(bad, &w, 1, 0, &n));
  check("seek bad fd", __wasi_fd_seek(bad, 0, __WASI_WHENCE_SET, &pos));
  check("tell bad fd", __wasi_fd_tell(bad, &pos));
  check("advise bad fd", __wasi_fd_advise(bad, 0, 0, __WASI_ADVICE_NORMAL));
  check("allocate bad fd", __wasi_fd_allocate(bad, 0, 1));
  check("datasync bad fd", __wasi_fd_datasync(bad));
  check("sync bad fd", __wasi_fd_sync(bad));
  check("filestat_get bad fd", __wasi_fd_filestat_get(bad, &st));
  check("set_size bad fd", __wasi_fd_filestat_set_size(bad, 0));
  check("fdstat_get bad fd", __wasi_fd_fdstat_get(bad, &fs));
  check("set_flags bad fd", __wasi_fd_fdstat_set_flags(bad, 0));
  return 0;
}
