/* set_times_einval: path_filestat_set_times with every flag bit set on the
 * first preopen (EINVAL), then path_filestat_get there. node:wasi keeps the
 * directory's lock after that EINVAL, so the second call never returns: a
 * box stuck in a host call that no worker.terminate() can end. */
#include <stdio.h>
#include <wasi/api.h>

int main(void) {
  __wasi_filestat_t st;
  printf("set_times: %d\n", __wasi_path_filestat_set_times(3, 0, "x.txt", 0, 0, 0xffff));
  fflush(stdout);
  printf("filestat: %d\n", __wasi_path_filestat_get(3, 0, "x.txt", &st));
  return 0;
}
