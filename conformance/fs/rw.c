/* fd_read/fd_write/fd_pread/fd_pwrite with iovec arrays. */
#include "check.h"

int main(int argc, char **argv) {
  setup(argc, argv, "rw");
  char a[5], b[10], c[32];
  int fd = open(P("f"), O_RDWR | O_CREAT, 0644);

  struct iovec w[3] = {{"hel", 3}, {"lo", 2}, {" world", 6}};
  val("writev 3", writev(fd, w, 3));
  struct iovec w0[2] = {{"", 0}, {"!", 1}};
  val("writev empty+1", writev(fd, w0, 2));
  val("writev none", writev(fd, w, 0));
  val("write zero", write(fd, "x", 0));
  val("tell", lseek(fd, 0, SEEK_CUR));
  lseek(fd, 0, SEEK_SET);
  struct iovec r[2] = {{a, sizeof a}, {b, sizeof b}};
  long n = readv(fd, r, 2);
  val("readv 2", n);
  show("readv part 1", 5, a);
  show("readv part 2", n - 5, b);
  val("read at eof", read(fd, c, sizeof c));
  struct iovec r0[2] = {{c, 0}, {c, 3}};
  lseek(fd, 1, SEEK_SET);
  n = readv(fd, r0, 2);
  show("readv empty+3", n, c);

  val("pwrite", pwrite(fd, "XY", 2, 3));
  val("tell after pwrite", lseek(fd, 0, SEEK_CUR));
  show("pread", pread(fd, c, 6, 1), c);
  val("tell after pread", lseek(fd, 0, SEEK_CUR));
  show("pread at end", pread(fd, c, 4, 10), c);
  val("pread past end", pread(fd, c, 4, 100));
  val("pread negative", pread(fd, c, 4, -1));
  val("pwrite past end", pwrite(fd, "Z", 1, 15));
  show("pread hole", pread(fd, c, sizeof c, 10), c);
  val("pwrite negative", pwrite(fd, "Z", 1, -1));
  struct iovec pv[2] = {{"AB", 2}, {"CD", 2}};
  val("pwritev", pwritev(fd, pv, 2, 0));
  struct iovec pr[2] = {{a, 3}, {b, 3}};
  n = preadv(fd, pr, 2, 1);
  val("preadv", n);
  show("preadv part 1", 3, a);
  show("preadv part 2", 3, b);
  lseek(fd, 0, SEEK_SET);
  show("read all", read(fd, c, sizeof c), c);
  close(fd);

  /* large transfer through many iovecs */
  static char big[70000];
  for (int i = 0; i < (int)sizeof big; i++) big[i] = (char)('a' + i % 26);
  fd = open(P("big"), O_RDWR | O_CREAT | O_TRUNC, 0644);
  struct iovec many[7];
  for (int i = 0; i < 7; i++) many[i] = (struct iovec){big + i * 10000, 10000};
  val("writev big", writev(fd, many, 7));
  memset(big, 0, sizeof big);
  lseek(fd, 0, SEEK_SET);
  long total = 0, k;
  while ((k = read(fd, big + total, sizeof big - total)) > 0) total += k;
  val("read big total", total);
  int okb = 1;
  for (int i = 0; i < 70000; i++) okb &= big[i] == (char)('a' + i % 26);
  say("read big content: %s", okb ? "same" : "different");
  close(fd);

  /* errors */
  val("read closed fd", read(fd, c, 1));
  val("write closed fd", write(fd, "x", 1));
  val("pread closed fd", pread(fd, c, 1, 0));
  mkdir(P("d"), 0755);
  int d = open(P("d"), O_RDONLY | O_DIRECTORY);
  val("read dir", read(d, c, 1));
  val("pread dir", pread(d, c, 1, 0));
  close(d);
  return 0;
}
