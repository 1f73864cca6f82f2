/* paths: every path_* call, with its error cases: path_open,
 * path_create_directory, path_remove_directory, path_filestat_get,
 * path_filestat_set_times, path_link, path_symlink, path_readlink,
 * path_rename, path_unlink_file. */
#include "corpus.h"

static void size_of(const char *path) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, &st);
  printf("stat %s: %s", path, errno_name(e));
  if (e == 0) printf(" type %u size %llu nlink %llu", st.filetype, (unsigned long long)(st.filetype == __WASI_FILETYPE_DIRECTORY ? 0 : st.size), (unsigned long long)st.nlink);
  printf("\n");
}

int main(void) {
  __wasi_errno_t e;
  __wasi_filestat_t st;
  __wasi_size_t n;

  check("mkdir", __wasi_path_create_directory(ROOT, "paths"));
  check("mkdir again", __wasi_path_create_directory(ROOT, "paths"));
  check("mkdir missing parent", __wasi_path_create_directory(ROOT, "nowhere/x"));

  __wasi_fd_t f = open_at(ROOT, "paths/file", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, &e);
  check("open create excl", e);
  write_all(f, "content");
  __wasi_fd_close(f);
  open_at(ROOT, "paths/file", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, &e);
  check("open create excl again", e);
  open_at(ROOT, "paths/missing", 0, &e);
  check("open missing", e);
  open_at(ROOT, "paths/file", __WASI_OFLAGS_DIRECTORY, &e);
  check("open file as dir", e);
  open_at(ROOT, "paths/file/x", 0, &e);
  check("open through file", e);
  open_at(99, "x", 0, &e);
  check("open bad fd", e);
  size_of("paths/file");
  size_of("paths");
  size_of("hello.txt");
  check("filestat_get missing", __wasi_path_filestat_get(ROOT, 0, "paths/missing", &st));

  check("set_times", __wasi_path_filestat_set_times(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "paths/file", 0, 1000000000ull * 4000000, __WASI_FSTFLAGS_MTIM));
  __wasi_path_filestat_get(ROOT, 0, "paths/file", &st);
  printf("mtim %llu\n", (unsigned long long)(st.mtim / 1000000000ull));
  check("set_times missing", __wasi_path_filestat_set_times(ROOT, 0, "paths/missing", 0, 0, __WASI_FSTFLAGS_MTIM));
  /* Not checked: conflicting flags (ATIM with ATIM_NOW). node:wasi answers EINVAL but keeps
   * the directory fd locked, so the next call on fd 3 never returns. */

  check("link", __wasi_path_link(ROOT, 0, "paths/file", ROOT, "paths/hard"));
  size_of("paths/hard");
  check("link onto existing", __wasi_path_link(ROOT, 0, "paths/file", ROOT, "paths/hard"));
  check("link missing", __wasi_path_link(ROOT, 0, "paths/missing", ROOT, "paths/x"));
  check("link dir", __wasi_path_link(ROOT, 0, "paths", ROOT, "paths2"));

  check("symlink", __wasi_path_symlink("file", ROOT, "paths/soft"));
  check("symlink onto existing", __wasi_path_symlink("file", ROOT, "paths/hard"));
  char buf[32] = {0};
  check("readlink", __wasi_path_readlink(ROOT, "paths/soft", (uint8_t *)buf, sizeof buf, &n));
  printf("readlink got: \"%.*s\"\n", (int)n, buf);
  check("readlink not a link", __wasi_path_readlink(ROOT, "paths/file", (uint8_t *)buf, sizeof buf, &n));
  check("readlink missing", __wasi_path_readlink(ROOT, "paths/missing", (uint8_t *)buf, sizeof buf, &n));
  size_of("paths/soft");

  check("rename", __wasi_path_rename(ROOT, "paths/hard", ROOT, "paths/moved"));
  size_of("paths/hard");
  size_of("paths/moved");
  check("rename missing", __wasi_path_rename(ROOT, "paths/missing", ROOT, "paths/x"));
  check("rename dir onto file", __wasi_path_rename(ROOT, "paths", ROOT, "paths/moved"));
  check("mkdir sub", __wasi_path_create_directory(ROOT, "paths/sub"));
  check("rename file onto dir", __wasi_path_rename(ROOT, "paths/moved", ROOT, "paths/sub"));

  check("unlink", __wasi_path_unlink_file(ROOT, "paths/moved"));
  size_of("paths/file");
  check("unlink missing", __wasi_path_unlink_file(ROOT, "paths/moved"));
  check("unlink dir", __wasi_path_unlink_file(ROOT, "paths/sub"));
  check("unlink symlink", __wasi_path_unlink_file(ROOT, "paths/soft"));
  size_of("paths/file");

  check("rmdir not empty", __wasi_path_remove_directory(ROOT, "paths"));
  check("rmdir file", __wasi_path_remove_directory(ROOT, "paths/file"));
  check("rmdir", __wasi_path_remove_directory(ROOT, "paths/sub"));
  check("rmdir missing", __wasi_path_remove_directory(ROOT, "paths/sub"));
  return 0;
}
