/* path_symlink, path_readlink, and following symlinks. */
#include "check.h"

int main(int argc, char **argv) {
  setup(argc, argv, "symlink");
  char buf[64];
  put(P("target.txt"), "through the link");
  rc("symlink", symlink("target.txt", P("l")));
  show("readlink", readlink(P("l"), buf, sizeof buf), buf);
  show("readlink exact size", readlink(P("l"), buf, 10), buf);
  show("readlink short buffer", readlink(P("l"), buf, 4), buf);
  cat("read through symlink", P("l"));
  do_lstat("lstat symlink", P("l"));
  rc("symlink existing name", symlink("x", P("l")));
  rc("symlink over file", symlink("x", P("target.txt")));
  rc("symlink in missing dir", symlink("x", P("nodir/l")));
  rc("symlink trailing slash", symlink("x", P("s/")));
  rc("symlink empty target", symlink("", P("empty")));
  show("readlink regular file", readlink(P("target.txt"), buf, sizeof buf), buf);
  show("readlink missing", readlink(P("missing"), buf, sizeof buf), buf);
  mkdir(P("d"), 0755);
  show("readlink dir", readlink(P("d"), buf, sizeof buf), buf);

  rc("symlink dangling", symlink("nowhere", P("dangling")));
  do_stat("stat dangling", P("dangling"));
  do_lstat("lstat dangling", P("dangling"));
  show("readlink dangling", readlink(P("dangling"), buf, sizeof buf), buf);

  put(P("d/inner"), "inner");
  rc("symlink to dir", symlink("d", P("dl")));
  cat("read via dir symlink", P("dl/inner"));
  do_stat("stat dir symlink", P("dl"));
  do_stat("stat dir symlink with slash", P("dl/"));
  mkdir(P("d/sub"), 0755);
  rc("symlink with dotdot", symlink("../../target.txt", P("d/sub/up")));
  cat("read via dotdot symlink", P("d/sub/up"));
  rc("chain 1", symlink("l", P("chain")));
  cat("read via chain", P("chain"));
  rc("symlink to symlink to dir", symlink("dl/sub", P("dl2")));
  do_stat("stat via two links", P("dl2"));
  show("readlink through dir symlink", readlink(P("dl/sub/up"), buf, sizeof buf), buf);

  symlink("loop2", P("loop1"));
  symlink("loop1", P("loop2"));
  do_stat("stat loop", P("loop1"));
  do_lstat("lstat loop", P("loop1"));
  rc("open loop", open(P("loop1"), O_RDONLY));
  symlink("self/x", P("self"));
  do_stat("stat self-referencing", P("self"));

  rc("symlink absolute target", symlink("/etc/passwd", P("abs")));
  rc("unlink symlink", unlink(P("l")));
  do_stat("target after unlinking symlink", P("target.txt"));
  do_lstat("symlink gone", P("l"));

  /* a long target */
  char longt[201];
  memset(longt, 'x', 200);
  longt[200] = 0;
  rc("symlink long target", symlink(longt, P("long")));
  char lbuf[300];
  long n = readlink(P("long"), lbuf, sizeof lbuf);
  val("readlink long target length", n);
  do_lstat("lstat long target", P("long"));

  /* raw: readlink with a zero-length buffer */
  int dfd = open(P(""), O_RDONLY | O_DIRECTORY);
  __wasi_size_t used = 12345;
  int e = __wasi_path_readlink(dfd, "dangling", (uint8_t *)buf, 0, &used);
  if (e) ec("raw readlink zero buffer", e); else say("raw readlink zero buffer: %u", (unsigned)used);
  e = __wasi_path_readlink(dfd, "dangling", (uint8_t *)buf, 8, &used);
  if (e) ec("raw readlink 8 bytes for 7", e); else say("raw readlink 8 bytes for 7: %u", (unsigned)used);
  e = __wasi_path_readlink(dfd, "dangling", (uint8_t *)buf, 7, &used);
  if (e) ec("raw readlink 7 bytes for 7", e); else say("raw readlink 7 bytes for 7: %u", (unsigned)used);
  close(dfd);
  return 0;
}
