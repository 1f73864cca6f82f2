/* append_state N [trap]: appends "run N" to /state.txt, prints the file, then
 * exits with N (or traps when a second argument is given). Used to check that
 * box run --commit keeps a run's writes, also after a failure or a trap. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  FILE *f = fopen("/state.txt", "a");
  if (!f) { perror("/state.txt"); return 100; }
  fprintf(f, "run %s\n", argc > 1 ? argv[1] : "?");
  fclose(f);
  f = fopen("/state.txt", "r");
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fputs(buf, stdout);
  fclose(f);
  if (argc > 2) __builtin_trap();
  return argc > 1 ? atoi(argv[1]) : 0;
}
