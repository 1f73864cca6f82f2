/* path_open: oflags CREAT/EXCL/TRUNC/DIRECTORY, O_APPEND, O_NOFOLLOW, access modes. */
#include "check.h"

int main(int argc, char **argv) {
  setup(argc, argv, "open");
  char buf[64];
  int fd;

  rc("open missing", open(P("missing"), O_RDONLY));
  rc("open missing parent", open(P("nodir/f"), O_RDONLY | O_CREAT, 0644));
  fd = rc("creat new", open(P("f"), O_WRONLY | O_CREAT, 0644));
  val("write new", write(fd, "hello", 5));
  close(fd);
  do_stat("stat new", P("f"));
  fd = rc("creat existing", open(P("f"), O_RDONLY | O_CREAT, 0644));
  show("read existing", read(fd, buf, sizeof buf), buf);
  close(fd);
  rc("creat|excl existing", open(P("f"), O_WRONLY | O_CREAT | O_EXCL, 0644));
  fd = rc("creat|excl new", open(P("g"), O_WRONLY | O_CREAT | O_EXCL, 0644));
  close(fd);
  do_stat("stat excl new", P("g"));

  fd = rc("trunc", open(P("f"), O_WRONLY | O_TRUNC));
  do_fstat("fstat after trunc", fd);
  val("write after trunc", write(fd, "ab", 2));
  close(fd);
  cat("read after trunc", P("f"));
  fd = rc("creat|trunc existing", open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0644));
  do_fstat("fstat creat|trunc", fd);
  close(fd);

  mkdir(P("d"), 0755);
  fd = rc("directory on dir", open(P("d"), O_RDONLY | O_DIRECTORY));
  close(fd);
  rc("directory on file", open(P("f"), O_RDONLY | O_DIRECTORY));
  rc("directory missing", open(P("none"), O_RDONLY | O_DIRECTORY));
  fd = rc("rdonly on dir", open(P("d"), O_RDONLY));
  close(fd);
  rc("wronly on dir", open(P("d"), O_WRONLY));
  rc("rdwr on dir", open(P("d"), O_RDWR));
  rc("creat on dir", open(P("d"), O_WRONLY | O_CREAT, 0644));
  rc("creat|excl on dir", open(P("d"), O_WRONLY | O_CREAT | O_EXCL, 0644));
  rc("file with trailing slash", open(P("f/"), O_RDONLY));
  rc("dir with trailing slash", open(P("d/"), O_RDONLY));
  rc("creat with trailing slash", open(P("new/"), O_WRONLY | O_CREAT, 0644));
  rc("creat file with trailing slash", open(P("f/"), O_WRONLY | O_CREAT, 0644));
  rc("file as parent", open(P("f/x"), O_RDONLY));

  /* append: every write goes to the end, whatever the position */
  put(P("a"), "abc");
  fd = rc("append open", open(P("a"), O_WRONLY | O_APPEND));
  val("append seek 0", lseek(fd, 0, SEEK_SET));
  val("append write", write(fd, "def", 3));
  val("append position", lseek(fd, 0, SEEK_CUR));
  close(fd);
  cat("append result", P("a"));
  fd = rc("append rdwr", open(P("a"), O_RDWR | O_APPEND));
  show("append read from start", read(fd, buf, 2), buf);
  val("append write again", write(fd, "!", 1));
  close(fd);
  cat("append result 2", P("a"));

  /* pwrite on an append fd (Linux: appends whatever the offset, see pwrite(2)) */
  put(P("pa"), "abc");
  fd = open(P("pa"), O_WRONLY | O_APPEND);
  val("append pwrite", pwrite(fd, "X", 1, 0));
  close(fd);
  cat("append pwrite result", P("pa"));

  /* access modes */
  fd = open(P("a"), O_RDONLY);
  val("write on rdonly", write(fd, "x", 1));
  close(fd);
  fd = open(P("a"), O_WRONLY);
  val("read on wronly", read(fd, buf, 1));
  close(fd);

  /* symlinks */
  symlink("a", P("ln"));
  fd = rc("follow symlink", open(P("ln"), O_RDONLY));
  show("read through symlink", read(fd, buf, sizeof buf), buf);
  close(fd);
  rc("nofollow on symlink", open(P("ln"), O_RDONLY | O_NOFOLLOW));
  fd = rc("nofollow on file", open(P("a"), O_RDONLY | O_NOFOLLOW));
  close(fd);
  fd = rc("nofollow|directory on dir", open(P("d"), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  close(fd);
  symlink("target", P("dangling"));
  rc("creat|excl on dangling symlink", open(P("dangling"), O_WRONLY | O_CREAT | O_EXCL, 0644));
  fd = rc("creat through dangling symlink", open(P("dangling"), O_WRONLY | O_CREAT, 0644));
  close(fd);
  do_lstat("dangling target created", P("target"));
  symlink("d", P("dl"));
  fd = rc("directory through symlink", open(P("dl"), O_RDONLY | O_DIRECTORY));
  close(fd);

  /* raw preview1 path_open: oflags the libc does not combine this way */
  int dir = open(P("d"), O_RDONLY | O_DIRECTORY);
  __wasi_fd_t out;
  ec("raw creat|directory", __wasi_path_open(dir, 0, "cd", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, 0, &out));
  ec("raw trunc|directory on dir", __wasi_path_open(dir, 0, ".", __WASI_OFLAGS_TRUNC | __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, 0, &out));
  ec("raw excl without creat", __wasi_path_open(dir, 0, "zz", __WASI_OFLAGS_EXCL, __WASI_RIGHTS_FD_READ, 0, 0, &out));
  close(dir);
  return 0;
}
