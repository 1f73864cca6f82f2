/* crlf: prints its args one per line with Windows line endings, then the
 * environment variable GREETING; exits with the status in EXIT (default 0).
 * The runner's tests use it for output normalization and exit codes. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("%s\r\n", argv[i]);
  const char *g = getenv("GREETING");
  if (g) printf("greeting=%s\r\n", g);
  fprintf(stderr, "to stderr\r\n");
  const char *e = getenv("EXIT");
  return e ? atoi(e) : 0;
}
