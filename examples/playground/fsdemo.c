/* fsdemo: a filesystem-heavy program for the browser playground. It builds a
 * small project tree in the box's own filesystem (directories, files,
 * appends, a rename, a symlink, an unlink), then echoes each line typed on
 * stdin and keeps them in notes/typed.txt, and at end of input prints the
 * whole tree, depth first in name order, with sizes. The output depends on
 * nothing but the input, so Node and a browser must print the same bytes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fail(const char *what, const char *path) {
  fprintf(stderr, "fsdemo: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

static void put(const char *path, const char *text, const char *mode) {
  FILE *f = fopen(path, mode);
  if (!f) fail("open", path);
  fputs(text, f);
  fclose(f);
}

static void walk(const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d) fail("opendir", dir);
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  for (int i = 0; i < n; i++) {
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (lstat(path, &st) != 0) fail("lstat", path);
    printf("%*s", depth * 2, "");
    if (S_ISDIR(st.st_mode)) {
      printf("%s/\n", names[i]);
      walk(path, depth + 1);
    } else if (S_ISLNK(st.st_mode)) {
      char target[256];
      ssize_t len = readlink(path, target, sizeof target - 1);
      target[len < 0 ? 0 : len] = 0;
      printf("%s -> %s\n", names[i], target);
    } else {
      printf("%s (%lld bytes)\n", names[i], (long long)st.st_size);
    }
    free(names[i]);
  }
}

int main(void) {
  const char *dirs[] = {"/project", "/project/src", "/project/src/lib", "/project/docs", "/project/notes", "/project/tmp"};
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
    if (mkdir(dirs[i], 0755) != 0 && errno != EEXIST) fail("mkdir", dirs[i]);
  char path[256], text[256];
  for (int i = 0; i < 24; i++) {
    snprintf(path, sizeof path, "/project/src/lib/unit%02d.c", i);
    snprintf(text, sizeof text, "int unit%02d(void) { return %d; }\n", i, i * i);
    put(path, text, "w");
  }
  put("/project/README.md", "# project\n\nBuilt inside a box.\n", "w");
  for (int i = 0; i < 3; i++) {
    snprintf(text, sizeof text, "line %d\n", i + 1);
    put("/project/docs/log.txt", text, "a");
  }
  put("/project/tmp/scratch", "temporary\n", "w");
  if (unlink("/project/tmp/scratch") != 0) fail("unlink", "/project/tmp/scratch");
  if (rmdir("/project/tmp") != 0) fail("rmdir", "/project/tmp");
  put("/project/src/main.draft", "int main(void) { return 0; }\n", "w");
  if (rename("/project/src/main.draft", "/project/src/main.c") != 0) fail("rename", "/project/src/main.draft");
  if (symlink("src/main.c", "/project/main") != 0) fail("symlink", "/project/main");
  printf("fsdemo: built /project; type lines (end of input to finish)\n");
  fflush(stdout);

  char line[512];
  int lines = 0;
  while (fgets(line, sizeof line, stdin)) {
    lines++;
    printf("echo: %s", line);
    if (!strchr(line, '\n')) printf("\n");
    fflush(stdout);
    put("/project/notes/typed.txt", line, "a");
  }
  printf("fsdemo: %d line%s read\n/project/\n", lines, lines == 1 ? "" : "s");
  walk("/project", 1);
  return 0;
}
