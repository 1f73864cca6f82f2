/* sock: the socket calls on fds that are not sockets (a directory, a file)
 * and on an fd that is not open. */
#include "corpus.h"

static void all(const char *what, __wasi_fd_t fd) {
  char label[64];
  __wasi_fd_t got;
  uint8_t buf[8];
  __wasi_iovec_t iov = { buf, sizeof buf };
  __wasi_ciovec_t ciov = { buf, sizeof buf };
  __wasi_size_t n;
  __wasi_roflags_t flags;
  snprintf(label, sizeof label, "sock_accept %s", what);
  check(label, __wasi_sock_accept(fd, 0, &got));
  snprintf(label, sizeof label, "sock_recv %s", what);
  check(label, __wasi_sock_recv(fd, &iov, 1, 0, &n, &flags));
  snprintf(label, sizeof label, "sock_send %s", what);
  check(label, __wasi_sock_send(fd, &ciov, 1, 0, &n));
  snprintf(label, sizeof label, "sock_shutdown %s", what);
  check(label, __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
}

int main(void) {
  __wasi_errno_t e;
  all("on dir", ROOT);
  __wasi_fd_t file = open_at(ROOT, "hello.txt", 0, &e);
  check("open hello.txt", e);
  all("on file", file);
  all("on closed fd", 77);
  return 0;
}
