/* args_env: argv and the environment through the raw calls, then exit
 * through proc_exit with a status the spec expects (7). */
#include "corpus.h"
#include <stdlib.h>

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  __wasi_size_t argc, argv_size, envc, env_size;
  check("args_sizes_get", __wasi_args_sizes_get(&argc, &argv_size));
  char *argv[16], argv_buf[512];
  if (argc > 16 || argv_size > sizeof argv_buf) return 1;
  check("args_get", __wasi_args_get((uint8_t **)argv, (uint8_t *)argv_buf));
  printf("argc: %u\n", (unsigned)argc);
  /* argv[0] is the program's name under node:wasi and the entrypoint in a box: not compared. */
  for (__wasi_size_t i = 1; i < argc; i++) printf("arg %u: %s\n", (unsigned)i, argv[i]);

  check("environ_sizes_get", __wasi_environ_sizes_get(&envc, &env_size));
  char *env[16], env_buf[512];
  if (envc > 16 || env_size > sizeof env_buf) return 1;
  check("environ_get", __wasi_environ_get((uint8_t **)env, (uint8_t *)env_buf));
  printf("envc: %u\n", (unsigned)envc);
  qsort(env, envc, sizeof *env, by_string);
  for (__wasi_size_t i = 0; i < envc; i++) printf("env: %s\n", env[i]);
  fflush(stdout);
  __wasi_proc_exit(7);
}
