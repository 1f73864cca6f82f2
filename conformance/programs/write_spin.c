/* write_spin TEXT: writes TEXT to /work.txt in the box, says so, then loops
 * forever. box run --timeout --commit must keep the file it wrote. */
#include <stdio.h>

int main(int argc, char **argv) {
  FILE *f = fopen("/work.txt", "w");
  if (!f) { perror("/work.txt"); return 1; }
  fputs(argc > 1 ? argv[1] : "", f);
  fclose(f);
  printf("wrote /work.txt\n");
  fflush(stdout);
  for (volatile unsigned i = 0;; i++) {
  }
}
