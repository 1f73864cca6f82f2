/* Path resolution: ".", "..", "//", trailing slashes, sandbox escapes, limits. */
#include "check.h"

static void at(const char *label, int dir, const char *path) {
  struct stat st;
  int r = fstatat(dir, path, &st, 0);
  stat_line(label, r, &st);
}

static void raw_stat(const char *label, int dir, const char *path, size_t len) {
  __wasi_filestat_t st;
  __wasi_errno_t e;
  /* the path length is explicit: call the import directly */
  extern int32_t raw_path_filestat_get(int32_t, int32_t, int32_t, int32_t, int32_t)
      __attribute__((import_module("wasi_snapshot_preview1"), import_name("path_filestat_get")));
  e = raw_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, (int32_t)(uintptr_t)path, (int32_t)len, (int32_t)(uintptr_t)&st);
  if (e) ec(label, e);
  else say("%s: filetype=%d", label, st.filetype);
}

int main(int argc, char **argv) {
  setup(argc, argv, "paths");
  mkdir(P("a"), 0755);
  mkdir(P("a/b"), 0755);
  put(P("f"), "file");
  put(P("a/b/g"), "deep");

  do_stat("dot", P("./f"));
  do_stat("dotdot inside", P("a/../f"));
  do_stat("dotdot twice inside", P("a/b/../../f"));
  do_stat("double slash", P("a//b/g"));
  do_stat("trailing dot", P("a/b/."));
  do_stat("trailing dotdot", P("a/b/.."));
  do_stat("dotdot through file", P("f/../a"));
  do_stat("dotdot through missing", P("missing/../f"));
  do_stat("trailing slashes", P("a/b//"));

  int a = open(P("a"), O_RDONLY | O_DIRECTORY);
  int b = open(P("a/b"), O_RDONLY | O_DIRECTORY);
  at("at plain", b, "g");
  at("at dot", b, ".");
  at("at dotdot to base", a, "b/..");
  at("at escape one level", b, "..");
  at("at escape and return", b, "../b/g");
  at("at escape via inner dotdot", a, "b/../../f");
  at("at absolute path (libc resolves it from the preopens)", b, "/g");
  raw_stat("raw absolute path from a dir fd", b, "/g", 2);
  raw_stat("raw absolute path to the dir itself", b, "/", 1);
  rc("openat escape", openat(b, "../x", O_WRONLY | O_CREAT, 0644));
  rc("mkdirat escape", mkdirat(b, "../newdir", 0755));
  do_stat("nothing created by escapes", P("a/x"));

  /* symlinks that climb out of the directory they are resolved from */
  rc("symlinkat target escaping its dir fd", symlinkat("../../f", b, "up2"));
  at("at symlink escaping start dir", b, "up2");
  at("at symlink escaping, from higher dir", a, "b/up2");
  rc("symlinkat target dotdot", symlinkat("..", a, "parent"));
  at("at symlink to dotdot", a, "parent");
  rc("symlinkat target with inner dotdot", symlinkat("b/../b/g", a, "inner"));
  at("at symlink with inner dotdot", a, "inner");
  rc("symlink target above every root", symlink("../../../../../../../../../../..", P("far")));
  do_stat("symlink climbing above every root", P("far/x"));

  /* climbing above the preopen by an absolute path */
  do_stat("absolute dotdot above preopen", P("../../../../../../.."));

  /* limits */
  char name[300];
  memset(name, 'n', 255);
  name[255] = 0;
  rc("name of 255 bytes", open(P(name), O_WRONLY | O_CREAT, 0644));
  name[255] = 'n';
  name[256] = 0;
  rc("name of 256 bytes", open(P(name), O_WRONLY | O_CREAT, 0644));
  static char lp[5000];
  strcpy(lp, "a");
  while (strlen(lp) < 4200) strcat(lp, "/.");
  at("path over 4096 bytes", a, lp + 2);

  /* empty path and NUL, with explicit lengths */
  raw_stat("raw empty path", a, "b", 0);
  raw_stat("raw path with NUL", a, "b\0g", 3);
  raw_stat("raw path exact length", a, "bXXX", 1);
  at("at empty path", a, "");
  close(a);
  close(b);
  return 0;
}
