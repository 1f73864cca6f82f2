// A small HTTP/1.1 server for WASI preview1: it serves the listening socket
// its host preopened (box-link --listen, wasmtime --tcplisten) with poll(),
// accept(), recv() and send().
//
//   GET /            the static file /index.html from the filesystem
//   GET /<file>      any file under / (no "..")
//   GET /api/info    JSON: requests served, open connections, memory size
//   POST /api/echo   the request body, as sent
//
// Keep-alive by default (HTTP/1.1), closes after `Connection: close` or an
// HTTP/1.0 request without keep-alive. Requests are parsed as bytes arrive;
// one request at a time per connection (no pipelining).

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

// wasi-libc defines these but its header hides them behind upstream's ifdef.
int accept(int, struct sockaddr *, socklen_t *);

#define MAX_CONNS 256
#define BUF_SIZE 16384
#define FILE_MAX (1 << 20)

struct conn {
  int fd;
  size_t len;
  char buf[BUF_SIZE];
};

static struct conn *conns[MAX_CONNS];
static int nconns;
static unsigned long served;
static char file_buf[FILE_MAX];

/** The first preopened listening socket: after the directories, filetype SOCKET_STREAM. */
static int find_listener(void) {
  for (int fd = 3; fd < 64; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) return fd;
  }
  return -1;
}

static int send_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static int respond(int fd, int status, const char *reason, const char *type, const char *body, size_t body_len,
                   int keep_alive, int head_only) {
  char head[512];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: %s\r\n\r\n",
                   status, reason, type, body_len, keep_alive ? "keep-alive" : "close");
  if (send_all(fd, head, (size_t)n) < 0) return -1;
  if (head_only || body_len == 0) return 0;
  return send_all(fd, body, body_len);
}

static const char *content_type(const char *path) {
  const char *dot = strrchr(path, '.');
  if (!dot) return "application/octet-stream";
  if (!strcmp(dot, ".html")) return "text/html; charset=utf-8";
  if (!strcmp(dot, ".json")) return "application/json";
  if (!strcmp(dot, ".txt")) return "text/plain; charset=utf-8";
  if (!strcmp(dot, ".css")) return "text/css";
  return "application/octet-stream";
}

/** Reads a whole file under / into file_buf; -1 when missing or too large. */
static long read_file(const char *path) {
  int f = open(path, O_RDONLY);
  if (f < 0) return -1;
  long total = 0;
  for (;;) {
    ssize_t n = read(f, file_buf + total, FILE_MAX - total);
    if (n < 0) {
      close(f);
      return -1;
    }
    if (n == 0) break;
    total += n;
    if (total == FILE_MAX) {
      close(f);
      return -1;
    }
  }
  close(f);
  return total;
}

/** Case-insensitive header lookup in [start, end): the value, trimmed, or NULL. */
static const char *header(const char *start, const char *end, const char *name, size_t *value_len) {
  size_t name_len = strlen(name);
  const char *line = start;
  while (line < end) {
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol) eol = end;
    if ((size_t)(eol - line) > name_len && line[name_len] == ':' && !strncasecmp(line, name, name_len)) {
      const char *v = line + name_len + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      const char *ve = eol;
      while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ')) ve--;
      *value_len = (size_t)(ve - v);
      return v;
    }
    line = eol + 1;
  }
  return NULL;
}

static int has_token(const char *v, size_t len, const char *token) {
  size_t t = strlen(token);
  for (size_t i = 0; i + t <= len; i++) {
    if (!strncasecmp(v + i, token, t)) return 1;
  }
  return 0;
}

/**
 * Handles one complete request at the start of c->buf, if there is one.
 * Returns the bytes it used, 0 when more are needed, -1 to close.
 */
static long handle(struct conn *c) {
  char *end = NULL;
  for (size_t i = 3; i < c->len; i++) {
    if (c->buf[i - 3] == '\r' && c->buf[i - 2] == '\n' && c->buf[i - 1] == '\r' && c->buf[i] == '\n') {
      end = c->buf + i + 1;
      break;
    }
  }
  if (!end) {
    if (c->len == BUF_SIZE) {
      respond(c->fd, 431, "Request Header Fields Too Large", "text/plain", "", 0, 0, 0);
      return -1;
    }
    return 0;
  }
  // Request line: METHOD SP TARGET SP VERSION CRLF
  char method[8], target[1024], version[16];
  const char *eol = memchr(c->buf, '\n', (size_t)(end - c->buf));
  char line[1100];
  size_t line_len = (size_t)(eol - c->buf);
  if (line_len >= sizeof line) line_len = sizeof line - 1;
  memcpy(line, c->buf, line_len);
  line[line_len] = 0;
  if (sscanf(line, "%7s %1023s %15s", method, target, version) != 3 || strncmp(version, "HTTP/1.", 7)) {
    respond(c->fd, 400, "Bad Request", "text/plain", "", 0, 0, 0);
    return -1;
  }
  size_t vlen = 0;
  const char *v = header(eol + 1, end, "Content-Length", &vlen);
  size_t body_len = v ? strtoul(v, NULL, 10) : 0;
  size_t head_len = (size_t)(end - c->buf);
  if (head_len + body_len > BUF_SIZE) {
    respond(c->fd, 413, "Content Too Large", "text/plain", "", 0, 0, 0);
    return -1;
  }
  if (c->len < head_len + body_len) return 0;
  const char *conn_v = header(eol + 1, end, "Connection", &vlen);
  int keep_alive = strcmp(version, "HTTP/1.0") != 0;
  if (conn_v && has_token(conn_v, vlen, "close")) keep_alive = 0;
  if (conn_v && has_token(conn_v, vlen, "keep-alive")) keep_alive = 1;
  int head_only = !strcmp(method, "HEAD");
  int get = head_only || !strcmp(method, "GET");
  served++;
  int err;
  if (!strcmp(target, "/api/info") && get) {
    char json[160];
    // memory: the program's linear memory in bytes, to see that it stays flat under load
    int n = snprintf(json, sizeof json, "{\"server\":\"marcotte-http\",\"requests\":%lu,\"connections\":%d,\"memory\":%lu}",
                     served, nconns, (unsigned long)__builtin_wasm_memory_size(0) * 65536ul);
    err = respond(c->fd, 200, "OK", "application/json", json, (size_t)n, keep_alive, head_only);
  } else if (!strcmp(target, "/api/echo") && !strcmp(method, "POST")) {
    err = respond(c->fd, 200, "OK", "application/octet-stream", end, body_len, keep_alive, 0);
  } else if (get && target[0] == '/' && !strstr(target, "..")) {
    const char *path = strcmp(target, "/") ? target : "/index.html";
    long size = read_file(path);
    if (size < 0) {
      static const char missing[] = "not found\n";
      err = respond(c->fd, 404, "Not Found", "text/plain; charset=utf-8", missing, sizeof missing - 1, keep_alive, head_only);
    } else {
      err = respond(c->fd, 200, "OK", content_type(path), file_buf, (size_t)size, keep_alive, head_only);
    }
  } else {
    err = respond(c->fd, 405, "Method Not Allowed", "text/plain", "", 0, keep_alive, 0);
  }
  if (err < 0 || !keep_alive) return -1;
  return (long)(head_len + body_len);
}

static void drop(int i) {
  close(conns[i]->fd);
  free(conns[i]);
  conns[i] = conns[--nconns];
}

int main(void) {
  int listener = find_listener();
  if (listener < 0) {
    fprintf(stderr, "http-server: no listening socket (box-link --listen PORT, box run -p HOST:PORT)\n");
    return 1;
  }
  fprintf(stderr, "http-server: serving on fd %d\n", listener);
  struct pollfd fds[MAX_CONNS + 1];
  for (;;) {
    fds[0].fd = listener;
    fds[0].events = nconns < MAX_CONNS ? POLLIN : 0;
    for (int i = 0; i < nconns; i++) {
      fds[i + 1].fd = conns[i]->fd;
      fds[i + 1].events = POLLIN;
      fds[i + 1].revents = 0;
    }
    fds[0].revents = 0;
    int ready = poll(fds, (nfds_t)nconns + 1, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      perror("http-server: poll");
      return 1;
    }
    // Connections first, from the last: drop() moves the last one into the freed slot.
    for (int i = nconns - 1; i >= 0; i--) {
      if (!fds[i + 1].revents) continue;
      struct conn *c = conns[i];
      ssize_t n = recv(c->fd, c->buf + c->len, BUF_SIZE - c->len, 0);
      if (n <= 0) {
        drop(i);
        continue;
      }
      c->len += (size_t)n;
      long used;
      while ((used = handle(c)) > 0) {
        memmove(c->buf, c->buf + used, c->len - (size_t)used);
        c->len -= (size_t)used;
      }
      if (used < 0) drop(i);
    }
    if (fds[0].revents & POLLIN) {
      int fd = accept(listener, NULL, NULL);
      if (fd >= 0) {
        struct conn *c = malloc(sizeof *c);
        if (!c) {
          close(fd);
          continue;
        }
        c->fd = fd;
        c->len = 0;
        conns[nconns++] = c;
      }
    }
  }
}
