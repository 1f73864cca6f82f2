/* hello: the walking skeleton's demo program. Prints a greeting taken from
 * the environment, its argv, and the sorted entries of a directory the host
 * gives it (HELLO_DIR, default /data), with their sizes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  const char *greeting = getenv("GREETING");
  printf("%s from inside a box!\n", greeting ? greeting : "Hello");
  for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
  printf("GREETING=%s\n", greeting ? greeting : "(unset)");

  const char *dir = getenv("HELLO_DIR");
  if (!dir) dir = "/data";
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "hello: cannot list %s: %s\n", dir, strerror(errno));
    return 1;
  }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  printf("%s:\n", dir);
  for (int i = 0; i < n; i++) {
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (stat(path, &st) == 0) printf("  %s (%lld bytes)\n", names[i], (long long)st.st_size);
    else printf("  %s (stat failed: %s)\n", names[i], strerror(errno));
    free(names[i]);
  }
  return 0;
}
