/* Pointers and lengths outside the app memory, through raw preview1 imports. */
#include "check.h"

#define IMPORT(n) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#n)))
IMPORT(fd_write) int32_t raw_fd_write(int32_t, int32_t, int32_t, int32_t);
IMPORT(fd_read) int32_t raw_fd_read(int32_t, int32_t, int32_t, int32_t);
IMPORT(fd_pread) int32_t raw_fd_pread(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(fd_seek) int32_t raw_fd_seek(int32_t, int64_t, int32_t, int32_t);
IMPORT(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t, int32_t);
IMPORT(fd_filestat_get) int32_t raw_fd_filestat_get(int32_t, int32_t);
IMPORT(fd_prestat_get) int32_t raw_fd_prestat_get(int32_t, int32_t);
IMPORT(fd_readdir) int32_t raw_fd_readdir(int32_t, int32_t, int32_t, int64_t, int32_t);
IMPORT(path_open) int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t);
IMPORT(path_filestat_get) int32_t raw_path_filestat_get(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_readlink) int32_t raw_path_readlink(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT(path_create_directory) int32_t raw_path_create_directory(int32_t, int32_t, int32_t);

static int32_t ptr(const void *p) { return (int32_t)(uintptr_t)p; }

int main(int argc, char **argv) {
  setup(argc, argv, "efault");
  put(P("f"), "0123456789");
  symlink("f", P("ln"));
  int fd = open(P("f"), O_RDWR);
  int d = open(P(""), O_RDONLY | O_DIRECTORY);
  /* the end of memory: the last 4 bytes are addressable, nothing past them */
  uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
  int32_t past = (int32_t)(end - 2), beyond = (int32_t)0xfffffff0;
  __wasi_ciovec_t ok = {(const uint8_t *)"x", 1};
  __wasi_iovec_t rbad = {(uint8_t *)(uintptr_t)(end - 2), 8};
  __wasi_iovec_t rbeyond = {(uint8_t *)(uintptr_t)0xfffffff0u, 32};
  __wasi_ciovec_t wbad = {(const uint8_t *)(uintptr_t)(end - 2), 8};
  uint32_t n = 0;
  char buf[64];
  int32_t sink = ptr(&n);

  ec("fd_write iovs past end", raw_fd_write(fd, past, 1, sink));
  ec("fd_write iovs beyond 4 GiB", raw_fd_write(fd, beyond, 1, sink));
  ec("fd_write buffer past end", raw_fd_write(fd, ptr(&wbad), 1, sink));
  ec("fd_write nwritten past end", raw_fd_write(fd, ptr(&ok), 1, past));
  ec("fd_write iovs_len huge", raw_fd_write(fd, ptr(&ok), 0x10000000, sink));
  ec("fd_read buffer past end", raw_fd_read(fd, ptr(&rbad), 1, sink));
  ec("fd_read buffer beyond 4 GiB", raw_fd_read(fd, ptr(&rbeyond), 1, sink));
  ec("fd_pread buffer past end", raw_fd_pread(fd, ptr(&rbad), 1, 0, sink));
  ec("fd_seek result past end", raw_fd_seek(fd, 0, 0, past));
  ec("fd_fdstat_get past end", raw_fd_fdstat_get(fd, past));
  ec("fd_filestat_get past end", raw_fd_filestat_get(fd, past));
  ec("fd_prestat_get past end", raw_fd_prestat_get(3, past));
  ec("fd_readdir buffer past end", raw_fd_readdir(d, past, 64, 0, sink));
  ec("path_open path past end", raw_path_open(d, 0, past, 8, 0, 0, 0, 0, sink));
  ec("path_open opened past end", raw_path_open(d, 0, ptr("f"), 1, 0, __WASI_RIGHTS_FD_READ, 0, 0, past));
  ec("path_filestat_get path beyond", raw_path_filestat_get(d, 0, beyond, 4, ptr(buf)));
  ec("path_filestat_get buf past end", raw_path_filestat_get(d, 0, ptr("f"), 1, past));
  ec("path_readlink buf past end", raw_path_readlink(d, ptr("ln"), 2, past, 16, sink));
  ec("path_create_directory path past end", raw_path_create_directory(d, past, 16));

  /* nothing changed */
  lseek(fd, 0, SEEK_SET);
  show("file unchanged", read(fd, buf, sizeof buf), buf);
  val("position", lseek(fd, 0, SEEK_CUR));
  close(fd);
  close(d);
  return 0;
}
