/* sleep1: sleeps one second (nanosleep -> poll_oneoff on a clock). */
#include <time.h>

int main(void) {
  struct timespec second = {1, 0};
  return nanosleep(&second, 0);
}
