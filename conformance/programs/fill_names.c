/* fill_names: makes names in / until a call fails, then says how many and
 * why, and exits 0. "symlinks": symlinks with 4000-byte targets; "files":
 * empty files. Used for box run --memory and the vfs's metadata quota
 * (issue 16: these held gigabytes of host memory that no limit counted). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char target[4001];

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "symlinks";
  int symlinks = strcmp(mode, "symlinks") == 0;
  long n = 0;
  int err = 0;
  memset(target, 'x', 4000);
  for (;; n++) {
    char name[32];
    snprintf(name, sizeof name, "/n%ld", n);
    int r = symlinks ? symlink(target, name) : open(name, O_CREAT | O_WRONLY, 0644);
    if (r < 0) {
      err = errno;
      break;
    }
    if (!symlinks) close(r);
  }
  printf("%s: %ld then %s\n", mode, n, strerror(err));
  return 0;
}
