/* dir_dump DIR...: prints every entry under each DIR, depth first in name
 * order, with the contents of regular files; with OUT=NAME in the
 * environment it then writes NAME inside the first DIR. Exercises the host
 * driver: preopens, path_open, fd_readdir, fd_read, fd_write, fd_close. */
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

static int dump(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "dir_dump: %s: %s\n", dir, strerror(errno));
    return 1;
  }
  char *names[128];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 128)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  int rc = 0;
  for (int i = 0; i < n; i++) {
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    free(names[i]);
    if (stat(path, &st) != 0) {
      fprintf(stderr, "dir_dump: stat %s: %s\n", path, strerror(errno));
      rc = 1;
    } else if (S_ISDIR(st.st_mode)) {
      printf("%s/\n", path);
      rc |= dump(path);
    } else {
      char buf[4096];
      int fd = open(path, O_RDONLY);
      ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
      if (got < 0) {
        fprintf(stderr, "dir_dump: read %s: %s\n", path, strerror(errno));
        rc = 1;
      } else {
        buf[got] = 0;
        printf("%s: %s", path, buf);
      }
      if (fd >= 0) close(fd);
    }
  }
  return rc;
}

int main(int argc, char **argv) {
  int rc = 0;
  for (int i = 1; i < argc; i++) rc |= dump(argv[i]);
  const char *out = getenv("OUT");
  if (out && argc > 1) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", argv[1], out);
    FILE *f = fopen(path, "w");
    if (!f || fprintf(f, "written from a box\n") < 0 || fclose(f) != 0) {
      fprintf(stderr, "dir_dump: write %s: %s\n", path, strerror(errno));
      return 1;
    }
  }
  return rc;
}
