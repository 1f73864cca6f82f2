/* Shared helpers for the fs conformance programs: one line per check, in a
 * form that does not depend on the host (errno names, sizes, contents). */
#ifndef FS_CHECK_H
#define FS_CHECK_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wasi/api.h>

/* errno (and raw __wasi_errno_t: wasi-libc uses the same numbers) -> name */
static __attribute__((unused)) const char *ename(int e) {
  static char other[16];
  switch (e) {
#define NAME(x) case x: return #x;
    case 0: return "ok";
    NAME(E2BIG) NAME(EACCES) NAME(EAGAIN) NAME(EBADF) NAME(EBUSY) NAME(EEXIST)
    NAME(EFAULT) NAME(EFBIG) NAME(EINVAL) NAME(EIO) NAME(EISDIR) NAME(ELOOP)
    NAME(EMFILE) NAME(ENAMETOOLONG) NAME(ENOBUFS) NAME(ENOENT) NAME(ENOMEM)
    NAME(ENOSPC) NAME(ENOSYS) NAME(ENOTDIR) NAME(ENOTEMPTY) NAME(ENOTSUP)
    NAME(ENOTCAPABLE) NAME(ENXIO) NAME(EOVERFLOW) NAME(EPERM) NAME(ESPIPE)
    NAME(EXDEV) NAME(EROFS) NAME(EMLINK) NAME(ERANGE) NAME(ENOTSOCK)
#undef NAME
    default: snprintf(other, sizeof other, "E#%d", e); return other;
  }
}

/* the directory every program works in: argv[1]/<program name> */
static char base_dir[512];

static const char *P(const char *rel) {
  static char bufs[8][1024];
  static int next;
  char *b = bufs[next++ & 7];
  if (rel[0]) snprintf(b, 1024, "%s/%s", base_dir, rel);
  else snprintf(b, 1024, "%s", base_dir);
  return b;
}

static __attribute__((unused)) void setup(int argc, char **argv, const char *name) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *root = argc > 1 ? argv[1] : "/work";
  /* the root normally exists (the fixture); create it if it does not */
  if (mkdir(root, 0755) != 0 && errno != EEXIST) {
    printf("setup %s: %s\n", root, ename(errno));
    exit(2);
  }
  snprintf(base_dir, sizeof base_dir, "%s/%s", root, name);
  if (mkdir(base_dir, 0755) != 0) {
    printf("setup %s: %s\n", base_dir, ename(errno));
    exit(2);
  }
}

/* r < 0 means failure with errno (libc convention) */
static __attribute__((unused)) int rc(const char *label, int r) {
  printf("%s: %s\n", label, r < 0 ? ename(errno) : "ok");
  return r;
}

/* an error number returned directly (posix_* and __wasi_* calls) */
static __attribute__((unused)) int ec(const char *label, int e) {
  printf("%s: %s\n", label, ename(e));
  return e;
}

/* r < 0: errno; else the value */
static __attribute__((unused)) long val(const char *label, long r) {
  if (r < 0) printf("%s: %s\n", label, ename(errno));
  else printf("%s: %ld\n", label, r);
  return r;
}

static __attribute__((unused)) void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

/* bytes as a quoted string, escaping everything not printable */
static __attribute__((unused)) void show(const char *label, long n, const char *buf) {
  if (n < 0) {
    printf("%s: %s\n", label, ename(errno));
    return;
  }
  printf("%s: %ld \"", label, n);
  for (long i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c >= 32 && c < 127 && c != '"' && c != '\\') putchar(c);
    else printf("\\x%02x", c);
  }
  printf("\"\n");
}

static __attribute__((unused)) const char *ftype(mode_t m) {
  if (S_ISREG(m)) return "file";
  if (S_ISDIR(m)) return "dir";
  if (S_ISLNK(m)) return "symlink";
  if (S_ISCHR(m)) return "chr";
  if (S_ISBLK(m)) return "blk";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "sock";
  return "unknown";
}

/* type, size (files and symlinks only: directory sizes depend on the host fs), nlink */
static __attribute__((unused)) void stat_line(const char *label, int r, const struct stat *st) {
  if (r < 0) {
    printf("%s: %s\n", label, ename(errno));
    return;
  }
  if (S_ISDIR(st->st_mode)) printf("%s: dir nlink=%ld\n", label, (long)st->st_nlink);
  else printf("%s: %s size=%lld nlink=%ld\n", label, ftype(st->st_mode), (long long)st->st_size, (long)st->st_nlink);
}

static __attribute__((unused)) void do_stat(const char *label, const char *path) {
  struct stat st;
  int r = stat(path, &st);
  stat_line(label, r, &st);
}

static __attribute__((unused)) void do_lstat(const char *label, const char *path) {
  struct stat st;
  int r = lstat(path, &st);
  stat_line(label, r, &st);
}

static __attribute__((unused)) void do_fstat(const char *label, int fd) {
  struct stat st;
  int r = fstat(fd, &st);
  stat_line(label, r, &st);
}

/* creates (or replaces) a file with these contents */
static __attribute__((unused)) void put(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0) {
    printf("put %s: %s\n", path, ename(errno));
    exit(2);
  }
}

/* prints a file's contents */
static __attribute__((unused)) void cat(const char *label, const char *path) {
  char buf[256];
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("%s: %s\n", label, ename(errno));
    return;
  }
  long n = read(fd, buf, sizeof buf);
  show(label, n, buf);
  close(fd);
}

#endif
