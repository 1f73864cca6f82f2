/* path_link: hard links and nlink. */
#include "check.h"

int main(int argc, char **argv) {
  setup(argc, argv, "link");
  put(P("f"), "shared");
  do_stat("nlink before", P("f"));
  rc("link", link(P("f"), P("g")));
  do_stat("nlink after link (old)", P("f"));
  do_stat("nlink after link (new)", P("g"));
  struct stat s1, s2;
  stat(P("f"), &s1);
  stat(P("g"), &s2);
  say("same inode: %s", s1.st_ino == s2.st_ino ? "yes" : "no");
  int fd = open(P("g"), O_WRONLY | O_APPEND);
  write(fd, "+more", 5);
  close(fd);
  cat("write through one, read through other", P("f"));
  mkdir(P("d"), 0755);
  rc("link into subdir", link(P("f"), P("d/h")));
  do_stat("nlink three", P("f"));
  rc("unlink original", unlink(P("f")));
  do_stat("nlink after unlink", P("g"));
  cat("content survives", P("d/h"));

  rc("link to existing", link(P("g"), P("d/h")));
  rc("link missing source", link(P("missing"), P("x")));
  rc("link into missing dir", link(P("g"), P("nodir/x")));
  rc("link dir", link(P("d"), P("d2")));
  rc("link file trailing slash", link(P("g/"), P("x")));
  rc("link target trailing slash", link(P("g"), P("x/")));
  symlink("g", P("ln"));
  rc("link symlink", link(P("ln"), P("ln-hard")));
  do_lstat("link of symlink is", P("ln-hard"));
  do_lstat("symlink nlink", P("ln"));
  symlink("missing", P("dangling"));
  rc("link dangling symlink", link(P("dangling"), P("dangling-hard")));
  do_lstat("link of dangling is", P("dangling-hard"));

  /* raw path_link with SYMLINK_FOLLOW */
  int d = open(P(""), O_RDONLY | O_DIRECTORY);
  int e = __wasi_path_link(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "ln", d, "followed");
  ec("raw link follow", e);
  do_lstat("raw link follow is", P("followed"));
  close(d);

  fd = open(P("g"), O_RDONLY);
  do_fstat("fstat nlink", fd);
  unlink(P("g"));
  unlink(P("d/h"));
  unlink(P("followed"));
  do_fstat("fstat nlink after all unlinked", fd);
  close(fd);
  return 0;
}
