/* Shared by the corpus programs: raw preview1 calls (so that each program's
 * import section names exactly the functions it exercises) and one output
 * line per check, "label: result", where the result is "ok", an errno name
 * or a host-independent value. Never timestamps the program did not set,
 * inode numbers, rights masks or directory sizes: the expected output is
 * node:wasi's on Linux and must also be the box's. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

/* fd 3 is the first preopen: "/" in both the reference and the box. */
#define ROOT 3

static inline const char *errno_name(__wasi_errno_t e) {
  switch (e) {
    case __WASI_ERRNO_SUCCESS: return "ok";
    case __WASI_ERRNO_2BIG: return "E2BIG";
    case __WASI_ERRNO_ACCES: return "EACCES";
    case __WASI_ERRNO_AGAIN: return "EAGAIN";
    case __WASI_ERRNO_BADF: return "EBADF";
    case __WASI_ERRNO_EXIST: return "EEXIST";
    case __WASI_ERRNO_FAULT: return "EFAULT";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_IO: return "EIO";
    case __WASI_ERRNO_ISDIR: return "EISDIR";
    case __WASI_ERRNO_LOOP: return "ELOOP";
    case __WASI_ERRNO_NAMETOOLONG: return "ENAMETOOLONG";
    case __WASI_ERRNO_NOBUFS: return "ENOBUFS";
    case __WASI_ERRNO_NOENT: return "ENOENT";
    case __WASI_ERRNO_NOSYS: return "ENOSYS";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
    case __WASI_ERRNO_NOTEMPTY: return "ENOTEMPTY";
    case __WASI_ERRNO_NOTSOCK: return "ENOTSOCK";
    case __WASI_ERRNO_NOTSUP: return "ENOTSUP";
    case __WASI_ERRNO_PERM: return "EPERM";
    case __WASI_ERRNO_SPIPE: return "ESPIPE";
    case __WASI_ERRNO_XDEV: return "EXDEV";
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "errno %u", (unsigned)e);
      return buf;
    }
  }
}

static inline void check(const char *label, __wasi_errno_t e) { printf("%s: %s\n", label, errno_name(e)); }

/* Line-buffered stdout: a run that hangs or traps still shows how far it got. */
__attribute__((constructor)) static void line_buffered(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

/* Opens with every right the directory can hand down, as wasi-libc does:
 * asking for more is ENOTCAPABLE under node:wasi. */
static inline __wasi_fd_t open_at(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags, __wasi_errno_t *err) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  __wasi_fdstat_t st;
  __wasi_rights_t rights = __wasi_fd_fdstat_get(dir, &st) == 0 ? st.fs_rights_inheriting : 0;
  *err = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, rights, rights, 0, &fd);
  return fd;
}

static inline __wasi_errno_t write_all(__wasi_fd_t fd, const char *text) {
  __wasi_ciovec_t iov = { (const uint8_t *)text, strlen(text) };
  __wasi_size_t n;
  return __wasi_fd_write(fd, &iov, 1, &n);
}
