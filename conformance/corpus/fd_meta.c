/* fd_meta: the fd table and metadata calls: fd_renumber,
 * fd_fdstat_set_rights, fd_filestat_set_times, fd_prestat_get,
 * fd_prestat_dir_name and fd_readdir, with their error cases. */
#include "corpus.h"
#include <stdlib.h>

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  __wasi_errno_t e;
  __wasi_fdstat_t fs;
  __wasi_filestat_t st;
  __wasi_size_t n;

  /* preopens */
  __wasi_prestat_t pre;
  check("prestat_get root", __wasi_fd_prestat_get(ROOT, &pre));
  printf("prestat tag %u name_len %u\n", pre.tag, (unsigned)pre.u.dir.pr_name_len);
  char name[16] = {0};
  check("prestat_dir_name", __wasi_fd_prestat_dir_name(ROOT, (uint8_t *)name, pre.u.dir.pr_name_len));
  printf("prestat name: \"%s\"\n", name);
  check("prestat_get after preopens", __wasi_fd_prestat_get(ROOT + 1, &pre));
  check("prestat_get stdout", __wasi_fd_prestat_get(1, &pre));
  check("prestat_dir_name bad fd", __wasi_fd_prestat_dir_name(99, (uint8_t *)name, 1));

  check("mkdir", __wasi_path_create_directory(ROOT, "fd_meta"));
  __wasi_fd_t a = open_at(ROOT, "fd_meta/a", __WASI_OFLAGS_CREAT, &e);
  check("open a", e);
  write_all(a, "aaa");
  __wasi_fd_t b = open_at(ROOT, "fd_meta/b", __WASI_OFLAGS_CREAT, &e);
  check("open b", e);
  write_all(b, "bbbbbb");

  /* renumber: b takes a's number (closing a's file); b's old number is free. */
  check("renumber b onto a", __wasi_fd_renumber(b, a));
  __wasi_fd_filestat_get(a, &st);
  printf("size at a's fd: %llu\n", (unsigned long long)st.size);
  check("old fd after renumber", __wasi_fd_fdstat_get(b, &fs));
  check("renumber from closed fd", __wasi_fd_renumber(b, a));
  check("renumber to closed fd", __wasi_fd_renumber(a, 99));
  check("renumber to itself", __wasi_fd_renumber(a, a));

  /* rights can be dropped, never regained */
  check("set_rights drop write", __wasi_fd_fdstat_set_rights(a, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET, 0));
  check("write without right", write_all(a, "x"));
  check("filestat with right", __wasi_fd_filestat_get(a, &st));
  check("set_rights regain write", __wasi_fd_fdstat_set_rights(a, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0));
  check("set_rights bad fd", __wasi_fd_fdstat_set_rights(99, 0, 0));
  __wasi_fd_close(a);

  /* times: explicit values read back; NOW and explicit together is invalid */
  __wasi_fd_t c = open_at(ROOT, "fd_meta/c", __WASI_OFLAGS_CREAT, &e);
  check("open c", e);
  check("set_times", __wasi_fd_filestat_set_times(c, 1000000000ull * 1000000, 1000000000ull * 2000000,
                                                  __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  __wasi_fd_filestat_get(c, &st);
  printf("atim %llu mtim %llu\n", (unsigned long long)(st.atim / 1000000000ull), (unsigned long long)(st.mtim / 1000000000ull));
  check("set_times mtim only", __wasi_fd_filestat_set_times(c, 0, 1000000000ull * 3000000, __WASI_FSTFLAGS_MTIM));
  __wasi_fd_filestat_get(c, &st);
  printf("atim %llu mtim %llu\n", (unsigned long long)(st.atim / 1000000000ull), (unsigned long long)(st.mtim / 1000000000ull));
  check("set_times bad fd", __wasi_fd_filestat_set_times(99, 0, 0, 0));
  /* Last use of c: on conflicting flags node:wasi answers EINVAL but leaves the fd locked,
   * so any later call on c would never return. */
  check("set_times mtim and mtim_now", __wasi_fd_filestat_set_times(c, 0, 5, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));

  /* readdir: names sorted ('.' and '..' left out: node:wasi drops them), then a tiny buffer */
  /* A directory is opened with the preopen's own rights: node:wasi refuses write rights on one (EISDIR). */
  __wasi_fdstat_t root;
  __wasi_fd_fdstat_get(ROOT, &root);
  __wasi_fd_t d;
  e = __wasi_path_open(ROOT, 0, "fd_meta", __WASI_OFLAGS_DIRECTORY, root.fs_rights_base, root.fs_rights_inheriting, 0, &d);
  check("open dir", e);
  uint8_t buf[1024];
  check("readdir", __wasi_fd_readdir(d, buf, sizeof buf, 0, &n));
  char *names[8];
  int count = 0;
  for (size_t at = 0; at + sizeof(__wasi_dirent_t) <= n && count < 8;) {
    __wasi_dirent_t ent;
    memcpy(&ent, buf + at, sizeof ent);
    at += sizeof ent;
    if (at + ent.d_namlen > n) break;
    char *s = strndup((char *)buf + at, ent.d_namlen);
    at += ent.d_namlen;
    if (strcmp(s, ".") && strcmp(s, "..")) names[count++] = s;
  }
  qsort(names, count, sizeof *names, by_string);
  for (int i = 0; i < count; i++) printf("entry: %s\n", names[i]);
  check("readdir tiny buffer", __wasi_fd_readdir(d, buf, 4, 0, &n));
  printf("tiny buffer filled: %u\n", (unsigned)n);
  check("readdir bad fd", __wasi_fd_readdir(99, buf, sizeof buf, 0, &n));
  __wasi_fd_close(d);
  return 0;
}
