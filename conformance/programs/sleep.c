/* sleep: prints "sleeping", then sleeps argv[1] seconds (default 15) in one
 * poll_oneoff on a clock, then prints "awake". The runtime's tests use it to
 * end a box blocked in a host sleep (a time limit, a signal). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  struct timespec t = {argc > 1 ? atoi(argv[1]) : 15, 0};
  printf("sleeping\n");
  fflush(stdout);
  nanosleep(&t, NULL);
  printf("awake\n");
  return 0;
}
