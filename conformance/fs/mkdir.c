/* path_create_directory, path_remove_directory, path_unlink_file. */
#include "check.h"

int main(int argc, char **argv) {
  setup(argc, argv, "mkdir");
  put(P("f"), "file");
  rc("mkdir new", mkdir(P("d"), 0755));
  do_stat("stat new dir", P("d"));
  rc("mkdir existing dir", mkdir(P("d"), 0755));
  rc("mkdir existing file", mkdir(P("f"), 0755));
  rc("mkdir missing parent", mkdir(P("no/x"), 0755));
  rc("mkdir file as parent", mkdir(P("f/x"), 0755));
  rc("mkdir trailing slash", mkdir(P("t/"), 0755));
  do_stat("stat trailing slash dir", P("t"));
  rc("mkdir nested", mkdir(P("d/e"), 0755));
  do_stat("parent nlink after nested", P("d"));
  symlink("d", P("ln"));
  symlink("gone", P("dangling"));
  rc("mkdir over symlink", mkdir(P("ln"), 0755));
  rc("mkdir over dangling symlink", mkdir(P("dangling"), 0755));
  rc("mkdir through symlink", mkdir(P("ln/g"), 0755));
  do_stat("stat via real path", P("d/g"));

  put(P("d/e/inner"), "x");
  rc("rmdir non-empty", rmdir(P("d/e")));
  rc("rmdir file", rmdir(P("f")));
  rc("rmdir missing", rmdir(P("missing")));
  rc("rmdir symlink to dir", rmdir(P("ln")));
  rc("rmdir dot", rmdir(P("d/e/.")));
  rc("rmdir dotdot", rmdir(P("d/e/..")));
  rc("unlink inner", unlink(P("d/e/inner")));
  rc("rmdir now empty", rmdir(P("d/e")));
  do_stat("stat removed dir", P("d/e"));
  do_stat("parent nlink after rmdir", P("d"));
  rc("rmdir trailing slash", rmdir(P("t/")));

  rc("unlink dir", unlink(P("d")));
  rc("unlink missing", unlink(P("missing")));
  rc("unlink file trailing slash", unlink(P("f/")));
  rc("unlink symlink to dir", unlink(P("ln")));
  do_stat("target survives symlink unlink", P("d"));
  rc("unlink dangling symlink", unlink(P("dangling")));
  int fd = open(P("f"), O_RDONLY);
  rc("unlink open file", unlink(P("f")));
  do_stat("stat unlinked", P("f"));
  do_fstat("fstat unlinked but open", fd);
  char buf[16];
  show("read unlinked but open", read(fd, buf, sizeof buf), buf);
  close(fd);
  rc("rmdir dir with subdir", rmdir(P("d")));
  rc("rmdir last", rmdir(P("d/g")));
  rc("rmdir parent", rmdir(P("d")));

  /* removing the directory an fd is open on */
  mkdir(P("open"), 0755);
  int d = open(P("open"), O_RDONLY | O_DIRECTORY);
  rc("rmdir open dir", rmdir(P("open")));
  do_fstat("fstat removed dir", d);
  rc("create in removed dir", openat(d, "x", O_WRONLY | O_CREAT, 0644));
  close(d);
  return 0;
}
