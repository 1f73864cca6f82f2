// Tries to leave a host mount (box run --dir HOST:/m) through the symlinks
// host-dirs.test.ts plants in it, with every preview1 call that takes a
// path, with and without following the last symlink. Prints one
// `label: RESULT` line per attempt (an errno name, or ok and what was
// read); the test compares them and checks the canary outside the mount.
// Also: fstflags with every bit set is EINVAL and the fd still answers.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_fd_t dir = 3;

static const char *name(__wasi_errno_t e) {
  switch (e) {
    case 0: return "ok";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    case __WASI_ERRNO_LOOP: return "ELOOP";
    case __WASI_ERRNO_NOENT: return "ENOENT";
    case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
    case __WASI_ERRNO_EXIST: return "EEXIST";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_PERM: return "EPERM";
    case __WASI_ERRNO_ISDIR: return "EISDIR";
    default: {
      static char buf[16];
      snprintf(buf, sizeof buf, "E%u", e);
      return buf;
    }
  }
}

static void report(const char *label, const char *path, __wasi_errno_t e) {
  printf("%s %s: %s\n", label, path, name(e));
}

/** Opens `path` (following the last symlink or not) and prints what it read. */
static void try_read(const char *path, __wasi_lookupflags_t follow) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, follow, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (e != 0) {
    report(follow ? "read" : "read-nofollow", path, e);
    return;
  }
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  e = __wasi_fd_read(fd, &iov, 1, &n);
  (void)__wasi_fd_close(fd);
  printf("%s %s: ok %.*s\n", follow ? "read" : "read-nofollow", path, (int)n, buf);
}

static void try_write(const char *path, __wasi_lookupflags_t follow) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, follow, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                                      __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0, 0, &fd);
  if (e == 0) {
    __wasi_ciovec_t iov = {(const uint8_t *)"PWNED", 5};
    __wasi_size_t n;
    (void)__wasi_fd_write(fd, &iov, 1, &n);
    (void)__wasi_fd_close(fd);
  }
  report(follow ? "write" : "write-nofollow", path, e);
}

static void try_stat(const char *path, __wasi_lookupflags_t follow) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(dir, follow, path, &st);
  report(follow ? "stat" : "stat-nofollow", path, e);
}

static void try_times(const char *path, __wasi_lookupflags_t follow) {
  __wasi_errno_t e = __wasi_path_filestat_set_times(dir, follow, path, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
  report(follow ? "times" : "times-nofollow", path, e);
}

static void try_readlink(const char *path) {
  char buf[256];
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_path_readlink(dir, path, (uint8_t *)buf, sizeof buf, &n);
  if (e == 0) printf("readlink %s: ok %.*s\n", path, (int)n, buf);
  else report("readlink", path, e);
}

/** Paths leading out of the mount, and two that stay inside it. */
static const char *paths[] = {
  "etclink/secret.txt", "abs", "rel", "reldir/secret.txt", "chain1", "sub/up", "inside/up",
  "../canary/secret.txt", "/canary/secret.txt", "loop1", "inside/../file.txt", "sub/../file.txt",
};

int main(void) {
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    const char *p = paths[i];
    try_read(p, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
    try_read(p, 0);
    try_stat(p, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
    try_stat(p, 0);
    try_times(p, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
  }
  // Writes and creations through the links: nothing may appear or change outside.
  const char *out[] = {"etclink/secret.txt", "abs", "rel", "reldir/new.txt", "chain1", "sub/up", "dangling"};
  for (size_t i = 0; i < sizeof out / sizeof *out; i++) {
    try_write(out[i], __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
    try_write(out[i], 0);
  }
  try_readlink("abs");
  try_readlink("rel");
  try_readlink("etclink/secret.txt");
  report("mkdir", "etclink/newdir", __wasi_path_create_directory(dir, "etclink/newdir"));
  report("unlink", "etclink/secret.txt", __wasi_path_unlink_file(dir, "etclink/secret.txt"));
  report("rmdir", "reldir", __wasi_path_remove_directory(dir, "reldir"));
  report("rename", "file.txt -> etclink/stolen", __wasi_path_rename(dir, "file.txt", dir, "etclink/stolen"));
  report("rename", "etclink/secret.txt -> stolen", __wasi_path_rename(dir, "etclink/secret.txt", dir, "stolen"));
  report("link", "etclink/secret.txt -> hard", __wasi_path_link(dir, 0, "etclink/secret.txt", dir, "hard"));
  report("link-follow", "abs -> hard", __wasi_path_link(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs", dir, "hard"));
  report("link", "file.txt -> reldir/hard", __wasi_path_link(dir, 0, "file.txt", dir, "reldir/hard"));
  report("symlink", "x -> etclink/s", __wasi_path_symlink("x", dir, "etclink/s"));
  report("symlink", "/canary/secret.txt -> newabs", __wasi_path_symlink("/canary/secret.txt", dir, "newabs"));

  // A subdirectory fd is a capability of its own: ".." does not leave it either.
  __wasi_fd_t sub;
  __wasi_errno_t e = __wasi_path_open(dir, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR,
                                      __WASI_RIGHTS_FD_READ, 0, &sub);
  report("open-dir", "sub", e);
  if (e == 0) {
    __wasi_fd_t fd;
    report("sub read", "../file.txt", __wasi_path_open(sub, 0, "../file.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
  }

  // Every fstflags bit set (ATIM with ATIM_NOW) is EINVAL, and the fds still answer afterwards.
  __wasi_filestat_t st;
  report("times 0xffff", "file.txt", __wasi_path_filestat_set_times(dir, 0, "file.txt", 0, 0, 0xffff));
  report("stat after", "file.txt", __wasi_path_filestat_get(dir, 0, "file.txt", &st));
  __wasi_fd_t fd;
  e = __wasi_path_open(dir, 0, "file.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES, 0, 0, &fd);
  report("open", "file.txt", e);
  if (e == 0) {
    report("fd times 0xffff", "file.txt", __wasi_fd_filestat_set_times(fd, 0, 0, 0xffff));
    char buf[16] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    e = __wasi_fd_read(fd, &iov, 1, &n);
    printf("read after file.txt: %s %.*s\n", name(e), (int)n, buf);
  }
  return 0;
}
