/*
 * soak CYCLES: CYCLES rounds of open(O_CREAT|O_TRUNC) + write 64 B + lseek +
 * read + close + unlink under /soak, over 16 names in turn (a steady working
 * set of at most one file). Prints "checkpoint N" before the first cycle,
 * after every tenth of them and at the end (the host samples memory sizes
 * when it sees these lines); exits 1 on the first call that fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long cycles = argc > 1 ? atol(argv[1]) : 1000000;
  char data[64], back[64], name[32];
  for (int i = 0; i < 64; i++) data[i] = (char)('a' + i % 26);
  if (mkdir("/soak", 0755) != 0 && errno != EEXIST) {
    printf("mkdir: %s\n", strerror(errno));
    return 1;
  }
  long step = cycles / 10 ? cycles / 10 : 1;
  printf("checkpoint 0\n");
  fflush(stdout);
  for (long i = 0; i < cycles; i++) {
    snprintf(name, sizeof name, "/soak/f%ld", i & 15);
    data[0] = (char)i;
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, data, 64) != 64 || lseek(fd, 0, SEEK_SET) != 0 || read(fd, back, 64) != 64 ||
        memcmp(data, back, 64) != 0 || close(fd) != 0 || unlink(name) != 0) {
      printf("cycle %ld failed: %s\n", i, strerror(errno));
      return 1;
    }
    if ((i + 1) % step == 0) {
      printf("checkpoint %ld\n", i + 1);
      fflush(stdout);
    }
  }
  return 0;
}
