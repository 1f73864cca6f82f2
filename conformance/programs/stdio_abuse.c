// What a box may try on the user's stdout (a terminal, a pipe or their own
// file: `box run ... >> app.log`): truncate it, seek it far away, pwrite
// past --max-output, or put a gigabyte in one fd_write. Prints each call's
// errno to stderr, one line per call: "NAME ERRNO".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static void report(const char *name, __wasi_errno_t e) { fprintf(stderr, "%s %d\n", name, (int)e); }

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  if (strcmp(what, "rights") == 0) {
    __wasi_filesize_t at;
    report("fd_filestat_set_size", __wasi_fd_filestat_set_size(1, 0));
    report("fd_seek", __wasi_fd_seek(1, (__wasi_filedelta_t)1 << 40, __WASI_WHENCE_SET, &at));
    report("fd_tell", __wasi_fd_tell(1, &at));
    report("fd_allocate", __wasi_fd_allocate(1, 0, (__wasi_filesize_t)1 << 40));
    report("fd_filestat_set_times", __wasi_fd_filestat_set_times(1, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    __wasi_ciovec_t iov = { (const uint8_t *)"pwrite\n", 7 };
    __wasi_size_t n;
    report("fd_pwrite", __wasi_fd_pwrite(1, &iov, 1, 0, &n));
    return 0;
  }
  if (strcmp(what, "iovecs") == 0) {
    // One call: COUNT iovecs of one MiB each, all pointing at the same buffer.
    int count = argc > 2 ? atoi(argv[2]) : 1000;
    static uint8_t mib[1 << 20];
    memset(mib, 'x', sizeof mib);
    __wasi_ciovec_t *iovs = malloc(sizeof *iovs * (size_t)count);
    for (int i = 0; i < count; i++) iovs[i] = (__wasi_ciovec_t){ mib, sizeof mib };
    __wasi_size_t n = 0;
    report("fd_write", __wasi_fd_write(1, iovs, (size_t)count, &n));
    return 0;
  }
  fprintf(stderr, "usage: stdio_abuse rights|iovecs [COUNT]\n");
  return 2;
}
