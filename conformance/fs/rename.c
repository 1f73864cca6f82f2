/* path_rename: files, directories, replacement rules and errors. */
#include "check.h"

int main(int argc, char **argv) {
  setup(argc, argv, "rename");
  put(P("a"), "aaa");
  put(P("b"), "bbbbb");
  rc("file over file", rename(P("a"), P("b")));
  do_stat("old name gone", P("a"));
  cat("new name content", P("b"));
  rc("file to new name", rename(P("b"), P("c")));
  cat("renamed content", P("c"));
  rc("file to itself", rename(P("c"), P("c")));
  cat("after rename to itself", P("c"));
  rc("missing source", rename(P("nothing"), P("x")));
  rc("into missing dir", rename(P("c"), P("nodir/c")));
  rc("file as target parent", rename(P("c"), P("c/x")));

  mkdir(P("d1"), 0755);
  put(P("d1/f"), "in d1");
  mkdir(P("empty"), 0755);
  rc("dir over empty dir", rename(P("d1"), P("empty")));
  cat("moved dir content", P("empty/f"));
  do_stat("old dir gone", P("d1"));
  mkdir(P("full"), 0755);
  put(P("full/g"), "g");
  rc("dir over non-empty dir", rename(P("empty"), P("full")));
  rc("file over dir", rename(P("c"), P("full")));
  rc("dir over file", rename(P("full"), P("c")));
  rc("dir into own subtree", rename(P("full"), P("full/sub")));
  mkdir(P("full/deep"), 0755);
  rc("dir into own deeper subtree", rename(P("full"), P("full/deep/x")));
  rc("dir to itself", rename(P("full"), P("full")));
  rc("dir trailing slash", rename(P("full/"), P("full2/")));
  do_stat("dir moved with slash", P("full2"));
  rc("file trailing slash source", rename(P("c/"), P("c2")));
  rc("file trailing slash target", rename(P("c"), P("c2/")));
  rc("dir to dot", rename(P("full2"), P(".")));
  rc("dot to name", rename(P("full2/."), P("x")));

  mkdir(P("p"), 0755);
  mkdir(P("q"), 0755);
  mkdir(P("p/child"), 0755);
  do_stat("source parent nlink before", P("p"));
  rc("dir across parents", rename(P("p/child"), P("q/child")));
  do_stat("source parent nlink after", P("p"));
  do_stat("target parent nlink after", P("q"));

  /* open fds follow the file */
  put(P("o"), "open file");
  int fd = open(P("o"), O_RDONLY);
  rc("rename open file", rename(P("o"), P("q/o")));
  char buf[32];
  show("read renamed open file", read(fd, buf, sizeof buf), buf);
  close(fd);
  put(P("victim"), "victim");
  fd = open(P("victim"), O_RDONLY);
  rc("replace open file", rename(P("q/o"), P("victim")));
  show("replaced file still readable", read(fd, buf, sizeof buf), buf);
  do_fstat("replaced file fstat", fd);
  close(fd);
  cat("replacement content", P("victim"));

  /* symlinks are renamed, not followed */
  symlink("victim", P("ln"));
  rc("rename symlink", rename(P("ln"), P("ln2")));
  do_lstat("renamed symlink", P("ln2"));
  cat("renamed symlink target", P("ln2"));
  symlink("q", P("dln"));
  rc("file over symlink to dir", rename(P("victim"), P("dln")));
  do_lstat("symlink replaced by file", P("dln"));
  do_stat("symlinked dir untouched", P("q"));

  /* hard links to the same file: nothing happens */
  put(P("h1"), "h");
  link(P("h1"), P("h2"));
  rc("rename onto own hard link", rename(P("h1"), P("h2")));
  do_stat("both links remain", P("h1"));
  return 0;
}
