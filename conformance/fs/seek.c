/* fd_seek/fd_tell: whence, bounds, and holes past the end. */
#include "check.h"

int main(int argc, char **argv) {
  setup(argc, argv, "seek");
  char buf[64];
  int fd = open(P("f"), O_RDWR | O_CREAT, 0644);
  write(fd, "0123456789", 10);
  val("cur after write", lseek(fd, 0, SEEK_CUR));
  val("set 3", lseek(fd, 3, SEEK_SET));
  show("read 2", read(fd, buf, 2), buf);
  val("cur -2", lseek(fd, -2, SEEK_CUR));
  val("cur +4", lseek(fd, 4, SEEK_CUR));
  val("end -3", lseek(fd, -3, SEEK_END));
  show("read rest", read(fd, buf, sizeof buf), buf);
  val("end 0", lseek(fd, 0, SEEK_END));
  val("set negative", lseek(fd, -1, SEEK_SET));
  val("cur after failed seek", lseek(fd, 0, SEEK_CUR));
  val("cur to negative", lseek(fd, -100, SEEK_CUR));
  val("end to negative", lseek(fd, -11, SEEK_END));
  val("bad whence", lseek(fd, 0, 7));
  __wasi_filesize_t pos;
  int e = __wasi_fd_tell(fd, &pos);
  if (e) ec("tell", e); else say("tell: %llu", (unsigned long long)pos);

  val("set past end", lseek(fd, 20, SEEK_SET));
  val("read past end", read(fd, buf, sizeof buf));
  do_fstat("size before write past end", fd);
  val("write past end", write(fd, "X", 1));
  do_fstat("size after write past end", fd);
  lseek(fd, 8, SEEK_SET);
  show("hole reads zeros", read(fd, buf, sizeof buf), buf);
  val("end +5", lseek(fd, 5, SEEK_END));
  do_fstat("seek alone does not grow", fd);
  close(fd);

  /* append fds: the position is where the last write ended */
  fd = open(P("f"), O_RDWR | O_APPEND);
  val("append start", lseek(fd, 0, SEEK_CUR));
  write(fd, "Y", 1);
  val("append after write", lseek(fd, 0, SEEK_CUR));
  close(fd);

  val("seek closed fd", lseek(fd, 0, SEEK_SET));
  mkdir(P("d"), 0755);
  int d = open(P("d"), O_RDONLY | O_DIRECTORY);
  val("seek dir", lseek(d, 0, SEEK_SET));
  e = __wasi_fd_tell(d, &pos);
  if (e) ec("tell dir", e); else say("tell dir: %llu", (unsigned long long)pos);
  close(d);
  val("seek never-opened fd", lseek(100, 0, SEEK_SET));
  return 0;
}
