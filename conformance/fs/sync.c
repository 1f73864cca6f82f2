/* fd_sync, fd_datasync, fd_advise, fd_allocate. */
#include "check.h"

int main(int argc, char **argv) {
  setup(argc, argv, "sync");
  int fd = open(P("f"), O_RDWR | O_CREAT, 0644);
  write(fd, "data", 4);
  rc("fsync", fsync(fd));
  rc("fdatasync", fdatasync(fd));
  int ro = open(P("f"), O_RDONLY);
  rc("fsync rdonly", fsync(ro));
  rc("fdatasync rdonly", fdatasync(ro));
  mkdir(P("d"), 0755);
  int d = open(P("d"), O_RDONLY | O_DIRECTORY);
  rc("fsync dir", fsync(d));
  rc("fdatasync dir", fdatasync(d));

  ec("fadvise normal", posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL));
  ec("fadvise sequential", posix_fadvise(fd, 0, 100, POSIX_FADV_SEQUENTIAL));
  ec("fadvise random", posix_fadvise(fd, 10, 100, POSIX_FADV_RANDOM));
  ec("fadvise willneed", posix_fadvise(fd, 0, 4, POSIX_FADV_WILLNEED));
  ec("fadvise dontneed", posix_fadvise(fd, 0, 4, POSIX_FADV_DONTNEED));
  ec("fadvise noreuse", posix_fadvise(fd, 0, 4, POSIX_FADV_NOREUSE));
  ec("fadvise rdonly", posix_fadvise(ro, 0, 0, POSIX_FADV_NORMAL));
  ec("fadvise bad advice", __wasi_fd_advise(fd, 0, 0, 9));
  ec("fadvise negative len", posix_fadvise(fd, 0, -1, POSIX_FADV_NORMAL));
  ec("fadvise dir", posix_fadvise(d, 0, 0, POSIX_FADV_NORMAL));

  ec("fallocate grow", posix_fallocate(fd, 0, 100));
  do_fstat("size after fallocate", fd);
  ec("fallocate inside", posix_fallocate(fd, 10, 5));
  do_fstat("size after fallocate inside", fd);
  ec("fallocate offset+len", posix_fallocate(fd, 200, 56));
  do_fstat("size after fallocate offset", fd);
  char buf[16];
  show("fallocate keeps data", pread(fd, buf, 6, 0), buf);
  ec("fallocate zero len", posix_fallocate(fd, 0, 0));
  ec("fallocate rdonly", posix_fallocate(ro, 0, 1000));
  ec("fallocate dir", posix_fallocate(d, 0, 10));
  close(fd);
  close(ro);
  close(d);
  rc("fsync closed", fsync(fd));
  ec("fadvise closed", posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL));
  ec("fallocate closed", posix_fallocate(fd, 0, 1));
  return 0;
}
