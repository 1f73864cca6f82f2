// One program per behaviour, checked end to end through the kernel, the net
// driver and the host bridge (src/sockets.e2e.test.ts drives the client):
// RECV_PEEK, RECV_WAITALL across chunks, NONBLOCK -> EAGAIN, fdstat, ESPIPE,
// ENOTSOCK on stdio, ENOTCONN on the listener, shutdown(WR) -> the peer's
// end of stream, the peer's close -> a zero-length read, a reset -> ECONNRESET.
// The report goes back over the connection; the exit code says all passed.

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

int accept(int, struct sockaddr *, socklen_t *);

static char report[1024];
static size_t used;

static void note(const char *name, const char *value) {
  used += (size_t)snprintf(report + used, sizeof report - used, "%s=%s\n", name, value);
}

static const char *err(long r) {
  if (r >= 0) return "ok";
  switch (errno) {
    case EAGAIN: return "EAGAIN";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOTCONN: return "ENOTCONN";
    case ESPIPE: return "ESPIPE";
    case ECONNRESET: return "ECONNRESET";
    case EPIPE: return "EPIPE";
    default: return strerror(errno);
  }
}

int main(void) {
  int listener = -1;
  for (int fd = 3; fd < 64 && listener < 0; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) listener = fd;
  }
  if (listener < 0) return 10;
  char buf[64];
  note("listener.recv", err(recv(listener, buf, sizeof buf, 0)));
  note("stdout.shutdown", err(shutdown(1, SHUT_WR)));
  note("stdin.recv", err(recv(0, buf, sizeof buf, 0)));

  int a = accept(listener, NULL, NULL);
  if (a < 0) return 11;
  // the client sends "hello " and "world!" in two writes
  ssize_t n = recv(a, buf, 5, MSG_PEEK);
  note("peek", n > 0 && !memcmp(buf, "hello", (size_t)n) ? "prefix" : "wrong");
  n = recv(a, buf, 12, MSG_WAITALL);
  buf[n > 0 ? n : 0] = 0;
  note("waitall", buf);
  note("lseek", err(lseek(a, 0, SEEK_CUR)));
  fcntl(a, F_SETFL, O_NONBLOCK);
  __wasi_fdstat_t st;
  if (__wasi_fd_fdstat_get(a, &st) != 0) st.fs_filetype = 0;
  note("fdstat", st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM && (st.fs_flags & __WASI_FDFLAGS_NONBLOCK) ? "socket,nonblock" : "wrong");
  note("nonblock.recv", err(recv(a, buf, sizeof buf, 0)));
  fcntl(a, F_SETFL, 0);
  note("end", "");
  send(a, report, used, 0);
  shutdown(a, SHUT_WR);
  // the client closes once it has read the report
  n = recv(a, buf, sizeof buf, 0);
  int ok = n == 0;
  close(a);

  int b = accept(listener, NULL, NULL);
  if (b < 0) return 12;
  // the client resets the connection: what it sent before may or may not arrive
  while ((n = recv(b, buf, sizeof buf, 0)) > 0) {
  }
  ok = ok && n < 0 && errno == ECONNRESET;
  close(b);
  return ok ? 0 : 1;
}
