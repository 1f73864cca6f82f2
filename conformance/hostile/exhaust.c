/* Exhausts one resource, per argv[1]: "fds" (the fd table or the vfs's
 * handles: EMFILE), "quota" (the vfs's byte quota: ENOSPC), "vfsmem" (the
 * vfs memory's page limit: ENOSPC) or "appmem" (the program's own memory,
 * capped at 8 MiB by the link flag in build.sh: malloc fails, and every call
 * that writes results into the full memory still answers). Each mode then
 * checks that the exhausted capability recovers once the resource is given
 * back, and that a normal call sequence works. */
#include "hostile.h"

static i32 open_image(void) {
  i32 fd = -1;
  int e = raw_path_open(3, 0, P("image.txt"), 9, 0, __WASI_RIGHTS_FD_READ, 0, 0, P(&fd));
  return e ? -e : fd;
}

static i32 create(const char *name) {
  i32 fd = -1;
  int e = raw_path_open(3, 0, P(name), (i32)strlen(name), __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0, 0, P(&fd));
  return e ? -e : fd;
}

static i32 write_all(i32 fd, const void *data, uint32_t len) {
  __wasi_ciovec_t iov = {(const uint8_t *)data, len};
  __wasi_size_t n = 0;
  int e = raw_fd_write(fd, P(&iov), 1, P(&n));
  return e ? -e : (i32)n;
}

static void fds(void) {
  static i32 open[2048];
  int count = 0;
  i32 r;
  while ((r = open_image()) >= 0 && count < 2048) open[count++] = r;
  printf("opened %d then -> %s\n", count, ename(-r));
  T("another open while full", -open_image() > 0 ? -open_image() : 0);
  i32 renum_to = open[count - 1];
  T("fd_renumber while full", raw_fd_renumber(open[0], renum_to));
  open[0] = -1;
  i32 again = open_image();
  T("open after one is freed", again < 0 ? -again : 0);
  if (again >= 0) raw_fd_close(again);
  for (int i = 1; i < count; i++) raw_fd_close(open[i]);
  r = open_image();
  T("open after closing all", r < 0 ? -r : 0);
  if (r >= 0) raw_fd_close(r);
}

static char chunk[4096];

static void quota(void) {
  memset(chunk, 'q', sizeof chunk);
  i32 fd = create("big");
  long total = 0;
  i32 r;
  while ((r = write_all(fd, chunk, sizeof chunk)) > 0) total += r;
  printf("wrote %ld bytes then -> %s\n", total, ename(-r));
  /* a new file cannot take bytes either; creating it takes no quota */
  i32 s = create("small");
  T("create a small file when full", s < 0 ? -s : 0);
  r = write_all(s, chunk, 100);
  T("write to it", r < 0 ? -r : 0);
  raw_fd_close(s);
  T("close big", raw_fd_close(fd));
  T("unlink big", raw_path_unlink_file(3, P("big"), 3));
  fd = create("after");
  T("write after unlink", write_all(fd, chunk, sizeof chunk) == (i32)sizeof chunk ? 0 : 1);
  raw_fd_close(fd);
}

static char big[60000];

static void vfsmem(void) {
  memset(big, 'm', sizeof big);
  int files = 0;
  int err = 0;
  for (; files < 10000; files++) {
    char name[32];
    snprintf(name, sizeof name, "m%d", files);
    i32 fd = create(name);
    if (fd < 0) { err = -fd; break; }
    i32 r = write_all(fd, big, sizeof big);
    raw_fd_close(fd);
    if (r != (i32)sizeof big) { err = r < 0 ? -r : 0; files++; break; }
  }
  printf("vfs memory full after %s files -> %s\n", files > 1 ? "several" : "too few", ename(err));
  i32 img = open_image();
  char text[32] = {0};
  __wasi_iovec_t iov = {(uint8_t *)text, sizeof text - 1};
  __wasi_size_t n = 0;
  T("read the image while full", img < 0 ? -img : raw_fd_read(img, P(&iov), 1, P(&n)));
  printf("image: \"%.*s\"\n", (int)n - 1, text);
  raw_fd_close(img);
  for (int i = 0; i < files; i++) {
    char name[32];
    snprintf(name, sizeof name, "m%d", i);
    raw_path_unlink_file(3, P(name), (i32)strlen(name));
  }
  i32 fd = create("after");
  T("write after freeing", write_all(fd, big, sizeof big) == (i32)sizeof big ? 0 : 1);
  raw_fd_close(fd);
  raw_path_unlink_file(3, P("after"), 5);
}

static void appmem(void) {
  static void *blocks[64];
  int count = 0;
  while (count < 64 && (blocks[count] = malloc(256 * 1024))) count++;
  printf("malloc 256 KiB: %s\n", count < 64 ? "NULL after some" : "never failed");
  /* grab the last scraps too, so the memory is as full as it gets */
  void *scraps[256];
  int nscraps = 0;
  while (nscraps < 256 && (scraps[nscraps] = malloc(1024))) nscraps++;
  uint32_t end = END();
  printf("memory: %u MiB\n", end >> 20);
  T("memory.grow", __builtin_wasm_memory_grow(0, 1) == (size_t)-1 ? __WASI_ERRNO_NOMEM : 0);
  __wasi_fdstat_t st;
  T("fd_fdstat_get out=END with full memory", raw_fd_fdstat_get(3, (i32)end));
  T("fd_fdstat_get with full memory", raw_fd_fdstat_get(3, P(&st)));
  __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  T("fd_write stdout iovs=END-4 with full memory", raw_fd_write(1, (i32)(end - 4), 1, P(&n)));
  i32 img = open_image();
  T("open with full memory", img < 0 ? -img : 0);
  raw_fd_close(img);
  (void)iov;
  for (int i = 0; i < count; i++) free(blocks[i]);
  for (int i = 0; i < nscraps; i++) free(scraps[i]);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "fds")) fds();
  else if (!strcmp(mode, "quota")) quota();
  else if (!strcmp(mode, "vfsmem")) vfsmem();
  else if (!strcmp(mode, "appmem")) appmem();
  else { printf("usage: exhaust fds|quota|vfsmem|appmem\n"); return 2; }
  healthy(mode);
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
