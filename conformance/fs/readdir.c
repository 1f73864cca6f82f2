/* fd_readdir through opendir/readdir: sorted listings, "." and "..", changes. */
#include "check.h"

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static const char *dtype(unsigned char t) {
  switch (t) {
    case DT_REG: return "file";
    case DT_DIR: return "dir";
    case DT_LNK: return "symlink";
    case DT_UNKNOWN: return "unknown";
    default: return "other";
  }
}

static int is_dot(const char *n) { return strcmp(n, ".") == 0 || strcmp(n, "..") == 0; }

/* prints "label: name/type name/type ..." sorted by name, without "." and ".." (dots() checks those) */
static void list(const char *label, const char *path) {
  DIR *dir = opendir(path);
  if (!dir) {
    say("%s: %s", label, ename(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) && n < 64) {
    if (is_dot(e->d_name)) continue;
    char *s = malloc(strlen(e->d_name) + 16);
    sprintf(s, "%s/%s", e->d_name, dtype(e->d_type));
    names[n++] = s;
  }
  closedir(dir);
  qsort(names, n, sizeof names[0], cmp);
  printf("%s:", label);
  for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
}

/* "." and ".." as readdir returns them (Linux getdents does) */
static void dots(const char *label, const char *path) {
  DIR *dir = opendir(path);
  struct dirent *e;
  int dot = 0, dotdot = 0;
  while ((e = readdir(dir))) {
    dot += strcmp(e->d_name, ".") == 0;
    dotdot += strcmp(e->d_name, "..") == 0;
  }
  closedir(dir);
  say("%s: . x%d, .. x%d", label, dot, dotdot);
}

int main(int argc, char **argv) {
  setup(argc, argv, "readdir");
  mkdir(P("empty"), 0755);
  list("empty dir", P("empty"));
  dots("dot entries of empty dir", P("empty"));
  mkdir(P("d"), 0755);
  put(P("d/c"), "c");
  put(P("d/a"), "a");
  put(P("d/b"), "bb");
  mkdir(P("d/sub"), 0755);
  symlink("a", P("d/ln"));
  list("dir", P("d"));
  dots("dot entries", P("d"));
  list("dir trailing slash", P("d/"));
  list("dir through dot", P("d/."));
  list("dir through dotdot", P("d/sub/.."));
  unlink(P("d/b"));
  put(P("d/e"), "e");
  list("after unlink and create", P("d"));
  list("file", P("d/a"));
  list("missing", P("d/zz"));

  /* rewinddir and a change while open */
  DIR *dir = opendir(P("d"));
  struct dirent *e;
  int before = 0, after = 0;
  while ((e = readdir(dir))) before += !is_dot(e->d_name);
  put(P("d/f"), "f");
  rewinddir(dir);
  while ((e = readdir(dir))) after += !is_dot(e->d_name);
  closedir(dir);
  say("rewind sees new entry: %d -> %d", before, after);

  /* telldir/seekdir to a remembered position */
  dir = opendir(P("d"));
  long pos = -1;
  char want[64] = "";
  for (int i = 0; (e = readdir(dir)); i++) {
    if (i == 2) pos = telldir(dir);
    if (i == 3) strcpy(want, e->d_name);
  }
  seekdir(dir, pos);
  e = readdir(dir);
  say("seekdir returns to entry: %s", e && strcmp(e->d_name, want) == 0 ? "yes" : "no");
  closedir(dir);

  /* many entries: several fd_readdir buffers */
  mkdir(P("many"), 0755);
  char name[32];
  for (int i = 0; i < 300; i++) {
    snprintf(name, sizeof name, "many/entry-%03d-with-a-longer-name", i);
    put(P(name), "");
  }
  dir = opendir(P("many"));
  int count = 0, sum = 0;
  while ((e = readdir(dir))) {
    if (is_dot(e->d_name)) continue;
    count++;
    sum += atoi(e->d_name + 6);
  }
  closedir(dir);
  say("many: %d entries, index sum %d", count, sum);

  /* removing entries while iterating: nothing is returned twice */
  dir = opendir(P("many"));
  int seen = 0;
  while ((e = readdir(dir))) {
    if (e->d_name[0] == '.') continue;
    snprintf(name, sizeof name, "many/%s", e->d_name);
    if (unlink(P(name)) == 0) seen++;
  }
  closedir(dir);
  dir = opendir(P("many"));
  int left = 0;
  while ((e = readdir(dir))) left += !is_dot(e->d_name);
  closedir(dir);
  say("unlink every entry while iterating: unlinked %d, left %d", seen, left);

  /* raw fd_readdir: a buffer too small for one entry, and cookie past the end */
  int fd = open(P("d"), O_RDONLY | O_DIRECTORY);
  char small[8];
  __wasi_size_t used;
  int err = __wasi_fd_readdir(fd, (uint8_t *)small, sizeof small, 0, &used);
  if (err) ec("readdir tiny buffer", err); else say("readdir tiny buffer: %u", (unsigned)used);
  char big[4096];
  err = __wasi_fd_readdir(fd, (uint8_t *)big, sizeof big, 1000000, &used);
  if (err) ec("readdir cookie past end", err); else say("readdir cookie past end: %u", (unsigned)used);
  close(fd);
  fd = open(P("d/a"), O_RDONLY);
  err = __wasi_fd_readdir(fd, (uint8_t *)big, sizeof big, 0, &used);
  ec("raw readdir on file", err);
  close(fd);
  return 0;
}
