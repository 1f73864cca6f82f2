/* grow: allocates 1 MiB blocks until malloc fails (or 64 MiB), touching each,
 * then says how far it got and exits 1 on failure. Used for box run --memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *blocks[64];

int main(void) {
  int n = 0;
  unsigned sum = 0;
  for (; n < 64; n++) {
    blocks[n] = malloc(1 << 20);
    if (!blocks[n]) {
      printf("malloc failed after %d MiB\n", n);
      return 1;
    }
    memset(blocks[n], n + 1, 1 << 20);
  }
  /* read every block back, so the compiler cannot drop the allocations */
  for (int i = 0; i < n; i++) sum += (unsigned char)blocks[i][i * 4096];
  printf("allocated %d MiB (checksum %u)\n", n, sum);
  return 0;
}
