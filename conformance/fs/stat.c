/* fd_filestat_get, path_filestat_get (follow / nofollow), fd_filestat_set_size,
 * fd/path_filestat_set_times. No timestamps or inode numbers are printed
 * except mtimes the program set itself. */
#include "check.h"
#include <time.h>

static void mtime_line(const char *label, const char *path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r < 0) say("%s: %s", label, ename(errno));
  else say("%s: %lld", label, (long long)st.st_mtim.tv_sec); /* node:wasi keeps whole seconds only */
}

int main(int argc, char **argv) {
  setup(argc, argv, "stat");
  char buf[32];
  put(P("f"), "hello");
  mkdir(P("d"), 0755);
  mkdir(P("d/s1"), 0755);
  mkdir(P("d/s2"), 0755);
  put(P("d/file"), "x");
  symlink("f", P("ln"));
  symlink("nowhere", P("dangling"));

  do_stat("stat file", P("f"));
  do_stat("stat dir", P("d"));
  do_stat("stat dir with 2 subdirs", P("d"));
  do_stat("stat empty dir", P("d/s1"));
  do_stat("stat through symlink", P("ln"));
  do_lstat("lstat symlink", P("ln"));
  do_lstat("lstat file", P("f"));
  do_lstat("lstat dangling", P("dangling"));
  do_stat("stat dangling", P("dangling"));
  do_stat("stat missing", P("missing"));
  do_stat("stat file as parent", P("f/x"));
  do_stat("stat file trailing slash", P("f/"));
  do_stat("stat dir trailing slash", P("d/"));
  do_lstat("lstat symlink trailing slash", P("ln/"));

  int fd = open(P("f"), O_RDWR);
  do_fstat("fstat file", fd);
  int d = open(P("d"), O_RDONLY | O_DIRECTORY);
  do_fstat("fstat dir", d);
  struct stat st;
  say("dev same file/dir: %s", (fstat(fd, &st), st.st_dev) == (stat(P("d"), &st), st.st_dev) ? "yes" : "no");
  ino_t i1 = (stat(P("f"), &st), st.st_ino), i2 = (stat(P("ln"), &st), st.st_ino);
  say("ino same through symlink: %s", i1 == i2 ? "yes" : "no");
  say("ino differs file/dir: %s", i1 != (stat(P("d"), &st), st.st_ino) ? "yes" : "no");

  /* ftruncate */
  rc("ftruncate shrink", ftruncate(fd, 2));
  do_fstat("fstat after shrink", fd);
  show("read after shrink", pread(fd, buf, sizeof buf, 0), buf);
  rc("ftruncate grow", ftruncate(fd, 6));
  do_fstat("fstat after grow", fd);
  show("read after grow", pread(fd, buf, sizeof buf, 0), buf);
  rc("ftruncate negative", ftruncate(fd, -1));
  rc("ftruncate dir", ftruncate(d, 0));
  int ro = open(P("f"), O_RDONLY);
  rc("ftruncate rdonly", ftruncate(ro, 0));
  close(ro);
  rc("truncate path", truncate(P("f"), 1));
  do_stat("stat after truncate path", P("f"));

  /* times: only a set mtime reading back is checked */
  struct timespec ts[2] = {{1000000000, 0}, {1234567890, 500000000}};
  rc("utimensat", utimensat(AT_FDCWD, P("f"), ts, 0));
  mtime_line("mtime after utimensat", P("f"), 1);
  struct timespec ts2[2] = {{0, UTIME_OMIT}, {1500000000, 250}};
  rc("futimens", futimens(fd, ts2));
  mtime_line("mtime after futimens", P("f"), 1);
  struct timespec ts3[2] = {{1600000000, 0}, {0, UTIME_OMIT}};
  rc("futimens omit mtime", futimens(fd, ts3));
  mtime_line("mtime after omit", P("f"), 1);
  rc("utimensat dir", utimensat(AT_FDCWD, P("d"), ts, 0));
  mtime_line("mtime dir", P("d"), 1);
  rc("utimensat through symlink", utimensat(AT_FDCWD, P("ln"), ts2, 0));
  mtime_line("mtime symlink target", P("f"), 1);
  rc("utimensat missing", utimensat(AT_FDCWD, P("missing"), ts, 0));
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  rc("utimensat bad nsec", utimensat(AT_FDCWD, P("f"), bad, 0));
  rc("futimens dir", futimens(d, ts));
  mtime_line("mtime dir after futimens", P("d"), 1);
  close(fd);
  close(d);
  rc("fstat closed", fstat(fd, &st));
  return 0;
}
