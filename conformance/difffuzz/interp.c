/* The differential-fuzzing interpreter: reads a syscall script on stdin,
 * one operation per line, runs it through wasi-libc under argv[1] (default
 * /work) and prints one host-independent line per operation: "N OP -> ok",
 * an errno name, a count, bytes, or a listing. The same script runs as a box
 * and under node:wasi; difffuzz.test.ts compares the outputs.
 *
 *   open SLOT PATH FLAGS   FLAGS: letters r w c(reat) t(runc) x(excl) a(ppend) d(irectory) n(ofollow)
 *   close SLOT             write SLOT N        read SLOT N        pwrite SLOT N OFF    pread SLOT N OFF
 *   seek SLOT OFF WHENCE   (s/c/e)             fstat SLOT         ftruncate SLOT N     fsync SLOT
 *   stat PATH  lstat PATH  mkdir PATH  rmdir PATH  unlink PATH  truncate PATH N
 *   rename OLD NEW         link OLD NEW        symlink TARGET PATH readlink PATH       readdir PATH
 *
 * PATH "-" is the empty path. Written bytes are a pattern of the line number,
 * so reads show where bytes came from. Never printed: timestamps, inode
 * numbers, directory sizes, the "." and ".." entries (node:wasi drops them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOTS 8
/* a slot that holds no open file names an fd number nobody has (100 + slot):
 * node:wasi answers EINVAL for -1 where Linux and the box answer EBADF */
#define UNUSED(s) (100 + (s))
static int slot[SLOTS];
static char root[256] = "/work";

static const char *ename(int e) {
  static char other[16];
  switch (e) {
#define NAME(x) case x: return #x;
    NAME(E2BIG) NAME(EACCES) NAME(EAGAIN) NAME(EBADF) NAME(EBUSY) NAME(EEXIST) NAME(EFAULT) NAME(EFBIG)
    NAME(EINVAL) NAME(EIO) NAME(EISDIR) NAME(ELOOP) NAME(EMFILE) NAME(ENAMETOOLONG) NAME(ENOBUFS) NAME(ENOENT)
    NAME(ENOMEM) NAME(ENOSPC) NAME(ENOSYS) NAME(ENOTDIR) NAME(ENOTEMPTY) NAME(ENOTSUP) NAME(ENOTCAPABLE)
    NAME(ENXIO) NAME(EOVERFLOW) NAME(EPERM) NAME(ESPIPE) NAME(EXDEV) NAME(EROFS) NAME(EMLINK) NAME(ERANGE)
#undef NAME
    default: snprintf(other, sizeof other, "E#%d", e); return other;
  }
}

static char pathbuf[2][1024];
static const char *P(int which, const char *rel) {
  if (!strcmp(rel, "-")) return "";
  snprintf(pathbuf[which], sizeof pathbuf[which], "%s/%s", root, rel);
  return pathbuf[which];
}

static void result(long r) {
  if (r < 0) printf("%s\n", ename(errno));
  else printf("ok\n");
}

static void stat_line(int r, const struct stat *st) {
  if (r < 0) { printf("%s\n", ename(errno)); return; }
  const char *t = S_ISREG(st->st_mode) ? "file" : S_ISDIR(st->st_mode) ? "dir" : S_ISLNK(st->st_mode) ? "symlink" : "other";
  if (S_ISDIR(st->st_mode)) printf("dir nlink=%ld\n", (long)st->st_nlink);
  else printf("%s size=%lld nlink=%ld\n", t, (long long)st->st_size, (long)st->st_nlink);
}

static void bytes_line(long n, const char *buf) {
  if (n < 0) { printf("%s\n", ename(errno)); return; }
  printf("%ld \"", n);
  for (long i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c >= 32 && c < 127 && c != '"' && c != '\\') putchar(c);
    else printf("\\x%02x", c);
  }
  printf("\"\n");
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void readdir_line(const char *path) {
  DIR *d = opendir(path);
  if (!d) { printf("%s\n", ename(errno)); return; }
  char *names[512];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 512) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("[");
  for (int i = 0; i < n; i++) printf("%s%s", i ? " " : "", names[i]), free(names[i]);
  printf("]\n");
}

static int flags_of(const char *f) {
  int rd = strchr(f, 'r') != NULL, wr = strchr(f, 'w') != NULL;
  int fl = rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
  if (strchr(f, 'c')) fl |= O_CREAT;
  if (strchr(f, 't')) fl |= O_TRUNC;
  if (strchr(f, 'x')) fl |= O_EXCL;
  if (strchr(f, 'a')) fl |= O_APPEND;
  if (strchr(f, 'd')) fl |= O_DIRECTORY;
  if (strchr(f, 'n')) fl |= O_NOFOLLOW;
  return fl;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  if (argc > 1) snprintf(root, sizeof root, "%s", argv[1]);
  for (int i = 0; i < SLOTS; i++) slot[i] = UNUSED(i);
  char line[1024], op[32], a[256], b[256], c[64];
  static char buf[1 << 16];
  for (int no = 1; fgets(line, sizeof line, stdin); no++) {
    line[strcspn(line, "\n")] = 0;
    a[0] = b[0] = c[0] = 0;
    int n = sscanf(line, "%31s %255s %255s %63s", op, a, b, c);
    if (n < 1) continue;
    printf("%d %s -> ", no, line);
    int s = atoi(a) & (SLOTS - 1);
    errno = 0;
    if (!strcmp(op, "open")) {
      if (slot[s] != UNUSED(s)) close(slot[s]);
      slot[s] = open(P(0, b), flags_of(c), 0644);
      result(slot[s]);
      if (slot[s] < 0) slot[s] = UNUSED(s);
    } else if (!strcmp(op, "close")) {
      result(close(slot[s]));
      slot[s] = UNUSED(s);
    } else if (!strcmp(op, "write") || !strcmp(op, "pwrite")) {
      long len = atol(b) % (long)sizeof buf;
      for (long i = 0; i < len; i++) buf[i] = (char)('A' + (no + i) % 26);
      long r = op[0] == 'p' ? pwrite(slot[s], buf, len, atol(c)) : write(slot[s], buf, len);
      if (r < 0) printf("%s\n", ename(errno)); else printf("%ld\n", r);
    } else if (!strcmp(op, "read") || !strcmp(op, "pread")) {
      long len = atol(b) % (long)sizeof buf;
      long r = op[0] == 'p' ? pread(slot[s], buf, len, atol(c)) : read(slot[s], buf, len);
      bytes_line(r, buf);
    } else if (!strcmp(op, "seek")) {
      int whence = b[0] && c[0] == 'c' ? SEEK_CUR : c[0] == 'e' ? SEEK_END : SEEK_SET;
      long r = lseek(slot[s], atol(b), whence);
      if (r < 0) printf("%s\n", ename(errno)); else printf("%ld\n", r);
    } else if (!strcmp(op, "fstat")) {
      struct stat st;
      int r = fstat(slot[s], &st);
      stat_line(r, &st);
    } else if (!strcmp(op, "ftruncate")) {
      result(ftruncate(slot[s], atol(b)));
    } else if (!strcmp(op, "fsync")) {
      result(fsync(slot[s]));
    } else if (!strcmp(op, "stat") || !strcmp(op, "lstat")) {
      struct stat st;
      int r = op[0] == 'l' ? lstat(P(0, a), &st) : stat(P(0, a), &st);
      stat_line(r, &st);
    } else if (!strcmp(op, "mkdir")) {
      result(mkdir(P(0, a), 0755));
    } else if (!strcmp(op, "rmdir")) {
      result(rmdir(P(0, a)));
    } else if (!strcmp(op, "unlink")) {
      result(unlink(P(0, a)));
    } else if (!strcmp(op, "truncate")) {
      result(truncate(P(0, a), atol(b)));
    } else if (!strcmp(op, "rename")) {
      result(rename(P(0, a), P(1, b)));
    } else if (!strcmp(op, "link")) {
      result(link(P(0, a), P(1, b)));
    } else if (!strcmp(op, "symlink")) {
      result(symlink(strcmp(a, "-") ? a : "", P(1, b)));
    } else if (!strcmp(op, "readlink")) {
      long r = readlink(P(0, a), buf, 256);
      bytes_line(r, buf);
    } else if (!strcmp(op, "readdir")) {
      readdir_line(P(0, a));
    } else {
      printf("unknown\n");
    }
  }
  fflush(stdout);
  return 0;
}
