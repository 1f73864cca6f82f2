/* fd table: fd_renumber, fd_close, fd_fdstat_get/set_flags (fcntl), preopens. */
#include "check.h"

static const char *wtype(int t) {
  switch (t) {
    case __WASI_FILETYPE_REGULAR_FILE: return "file";
    case __WASI_FILETYPE_DIRECTORY: return "dir";
    case __WASI_FILETYPE_SYMBOLIC_LINK: return "symlink";
    case __WASI_FILETYPE_CHARACTER_DEVICE: return "chr";
    case __WASI_FILETYPE_UNKNOWN: return "unknown";
    default: return "other";
  }
}

static void fdstat(const char *label, int fd) {
  __wasi_fdstat_t s;
  int e = __wasi_fd_fdstat_get(fd, &s);
  if (e) ec(label, e);
  else say("%s: %s flags=%d", label, wtype(s.fs_filetype), s.fs_flags);
}

int main(int argc, char **argv) {
  setup(argc, argv, "fdops");
  char buf[64];
  put(P("one"), "one");
  put(P("two"), "two");
  int f1 = open(P("one"), O_RDONLY), f2 = open(P("two"), O_RDONLY);
  say("new fds are consecutive: %s", f2 == f1 + 1 ? "yes" : "no");
  ec("renumber", __wasi_fd_renumber(f1, f2));
  show("read renumbered", read(f2, buf, sizeof buf), buf);
  val("read old fd", read(f1, buf, 1));
  int f3 = open(P("one"), O_RDONLY);
  say("lowest free fd reused: %s", f3 == f1 ? "yes" : "no");
  ec("renumber to itself", __wasi_fd_renumber(f3, f3));
  show("read after self renumber", read(f3, buf, sizeof buf), buf);
  ec("renumber from closed", __wasi_fd_renumber(f1 + 50, f3));
  ec("renumber to unopened", __wasi_fd_renumber(f3, f1 + 50));
  val("source kept after failed renumber", read(f3, buf, 1) >= 0 ? 1 : -1);
  ec("renumber onto open fd (dup2)", __wasi_fd_renumber(f3, f2));
  show("read after renumber onto open fd", pread(f2, buf, sizeof buf, 0), buf);
  val("read moved fd", read(f3, buf, 1));
  close(f2);
  close(f3);
  rc("close closed", close(f3));
  ec("fdstat closed", __wasi_fd_fdstat_get(f3, &(__wasi_fdstat_t){0}));

  /* fdstat and fcntl flags */
  int fd = open(P("one"), O_RDWR);
  fdstat("fdstat file", fd);
  int fl = fcntl(fd, F_GETFL);
  say("getfl rdwr: acc=%s append=%d", (fl & O_ACCMODE) == O_RDWR ? "rdwr" : "other", !!(fl & O_APPEND));
  rc("setfl append", fcntl(fd, F_SETFL, O_APPEND));
  fl = fcntl(fd, F_GETFL);
  say("getfl after setfl: append=%d", !!(fl & O_APPEND));
  fdstat("fdstat after setfl", fd);
  lseek(fd, 0, SEEK_SET);
  write(fd, "+", 1);
  val("position after append write", lseek(fd, 0, SEEK_CUR));
  rc("setfl clear", fcntl(fd, F_SETFL, 0));
  lseek(fd, 0, SEEK_SET);
  write(fd, "O", 1);
  cat("content after append and overwrite", P("one"));
  rc("setfl nonblock", fcntl(fd, F_SETFL, O_NONBLOCK));
  fdstat("fdstat nonblock", fd);
  close(fd);
  fd = open(P("one"), O_WRONLY | O_APPEND);
  fdstat("fdstat opened append", fd);
  fl = fcntl(fd, F_GETFL);
  say("getfl wronly append: acc=%s append=%d", (fl & O_ACCMODE) == O_WRONLY ? "wronly" : "other", !!(fl & O_APPEND));
  close(fd);
  fd = open(P("one"), O_RDONLY);
  fl = fcntl(fd, F_GETFL);
  say("getfl rdonly: acc=%s", (fl & O_ACCMODE) == O_RDONLY ? "rdonly" : "other");
  close(fd);
  int d = open(P(""), O_RDONLY | O_DIRECTORY);
  fdstat("fdstat dir", d);
  close(d);
  fdstat("fdstat stdout", 1);
  rc("fcntl closed", fcntl(fd, F_GETFL));
  rc("getfd", fcntl(0, F_GETFD));

  /* preopens: enumerate as wasi-libc does */
  int count = 0;
  for (int p = 3;; p++) {
    __wasi_prestat_t ps;
    int e = __wasi_fd_prestat_get(p, &ps);
    if (e) {
      say("prestat end: %s after %d", ename(e), count);
      break;
    }
    char name[256] = "";
    e = __wasi_fd_prestat_dir_name(p, (uint8_t *)name, ps.u.dir.pr_name_len);
    name[ps.u.dir.pr_name_len < 255 ? ps.u.dir.pr_name_len : 255] = 0;
    say("prestat fd %d: type=%d name=%s (%s)", p, ps.tag, name, ename(e));
    if (ps.u.dir.pr_name_len > 0)
      ec("prestat short buffer", __wasi_fd_prestat_dir_name(p, (uint8_t *)name, ps.u.dir.pr_name_len - 1));
    count++;
  }
  fd = open(P("one"), O_RDONLY);
  __wasi_prestat_t ps;
  ec("prestat on file fd", __wasi_fd_prestat_get(fd, &ps));
  ec("prestat dir name on file fd", __wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, sizeof buf));
  d = open(P(""), O_RDONLY | O_DIRECTORY);
  ec("prestat on opened dir", __wasi_fd_prestat_get(d, &ps));
  close(d);
  close(fd);
  return 0;
}
