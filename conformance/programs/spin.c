/* spin: prints a line, then loops forever; the runner's timeout test. */
#include <stdio.h>

int main(void) {
  printf("spinning\n");
  fflush(stdout);
  for (volatile unsigned i = 0;; i++) {
  }
}
