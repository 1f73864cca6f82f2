/* poll_cat: waits until stdout is writable (poll), then copies stdin to
 * stdout as cat does; exits 1 when a write fails (or is short), 0 at end of
 * input. Polling stdout makes node:wasi watch it with uv_poll, which leaves
 * the host fd non-blocking: a box must still lose no byte to a slow reader
 * (first-contact.test.ts). */
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  struct pollfd out = { .fd = 1, .events = POLLOUT };
  if (poll(&out, 1, -1) != 1 || !(out.revents & POLLOUT)) {
    fprintf(stderr, "poll_cat: stdout not writable\n");
    return 2;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    if (write(1, buf, n) != n) {
      perror("poll_cat: write");
      return 1;
    }
  }
  return n < 0 ? 1 : 0;
}
