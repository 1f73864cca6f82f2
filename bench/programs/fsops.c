/*
 * fsops OP COUNT DIR: one filesystem operation in a hot loop under DIR.
 * Setup happens first; only the loop is timed (CLOCK_MONOTONIC). Prints
 *   OP COUNT VALUE UNIT ELAPSED_MS
 * where VALUE is ns per operation (ns/op, ns/entry) or MB/s (10^6 bytes/s).
 *
 *   write16   COUNT write()s of 16 bytes to an open file
 *   read16    COUNT pread()s of 16 bytes from an open 64 KiB file
 *   openclose COUNT open(O_RDONLY) + close() of an existing file
 *   stat      COUNT stat()s of an existing file
 *   create    COUNT open(O_CREAT|O_EXCL) + close() of new, distinct names, at
 *             most CREATE_BATCH per directory (the directories are made first),
 *             so that every host creates into directories of the same size
 *             whatever COUNT its loop needs
 *   readdir   COUNT passes of opendir/readdir/closedir over 2,000 entries
 *   seqwrite  COUNT passes of 64 MiB written in 64 KiB chunks (O_TRUNC first)
 *   seqread   COUNT passes of 64 MiB read in 64 KiB chunks (DIR/seq is written
 *             first unless it already holds 64 MiB)
 *   clock     COUNT clock_gettime(CLOCK_MONOTONIC)s
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define SEQ_BYTES (64L * 1024 * 1024)
#define DIR_ENTRIES 2000
#define CREATE_BATCH 10000

static char buf[CHUNK];
static struct timespec started;

static void fail(const char *what, const char *path) {
  fprintf(stderr, "fsops: %s %s failed\n", what, path ? path : "");
  exit(2);
}

static void start(void) { clock_gettime(CLOCK_MONOTONIC, &started); }

static double elapsed_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - started.tv_sec) * 1e9 + (double)(now.tv_nsec - started.tv_nsec);
}

static void report(const char *op, long count, double ns, double per, const char *unit) {
  printf("%s %ld %.3f %s %.3f\n", op, count, per, unit, ns / 1e6);
}

static void report_per(const char *op, long count, double ns, long ops, const char *unit) {
  report(op, count, ns, ns / (double)ops, unit);
}

static void report_rate(const char *op, long count, double ns, long bytes) {
  report(op, count, ns, (double)bytes / 1e6 / (ns / 1e9), "MB/s");
}

/* A file of `size` bytes at `path`, written in chunks. */
static void make_file(const char *path, long size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail("open", path);
  for (long done = 0; done < size;) {
    long n = size - done < CHUNK ? size - done : CHUNK;
    if (write(fd, buf, (size_t)n) != n) fail("write", path);
    done += n;
  }
  close(fd);
}

/* Bumps the decimal digits of name[from..to) by one, like an odometer. */
static void next_name(char *name, size_t from, size_t to) {
  for (size_t i = to; i-- > from;) {
    if (name[i] != '9') {
      name[i]++;
      return;
    }
    name[i] = '0';
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: fsops OP COUNT DIR\n");
    return 1;
  }
  const char *op = argv[1];
  long n = atol(argv[2]);
  const char *dir = argv[3];
  char path[512];
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)(i * 131 + (i >> 8));
  double ns;

  if (!strcmp(op, "write16")) {
    snprintf(path, sizeof path, "%s/w16", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("open", path);
    start();
    for (long i = 0; i < n; i++)
      if (write(fd, buf, 16) != 16) fail("write", path);
    ns = elapsed_ns();
    close(fd);
    report_per(op, n, ns, n, "ns/op");
  } else if (!strcmp(op, "read16")) {
    snprintf(path, sizeof path, "%s/r16", dir);
    make_file(path, CHUNK);
    int fd = open(path, O_RDONLY);
    if (fd < 0) fail("open", path);
    char small[16];
    unsigned sum = 0;
    start();
    for (long i = 0; i < n; i++) {
      if (pread(fd, small, 16, (off_t)((i & (CHUNK / 16 - 1)) * 16)) != 16) fail("pread", path);
      sum += (unsigned char)small[i & 15];
    }
    ns = elapsed_ns();
    close(fd);
    if (sum == 0xffffffffu) puts("");  /* keeps the reads observable */
    report_per(op, n, ns, n, "ns/op");
  } else if (!strcmp(op, "openclose") || !strcmp(op, "stat")) {
    snprintf(path, sizeof path, "%s/existing", dir);
    make_file(path, 100);
    if (!strcmp(op, "openclose")) {
      start();
      for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) fail("open", path);
        close(fd);
      }
    } else {
      struct stat st;
      start();
      for (long i = 0; i < n; i++)
        if (stat(path, &st) != 0 || st.st_size != 100) fail("stat", path);
    }
    ns = elapsed_ns();
    report_per(op, n, ns, n, "ns/op");
  } else if (!strcmp(op, "create")) {
    long batches = (n + CREATE_BATCH - 1) / CREATE_BATCH;
    for (long b = 0; b < batches; b++) {
      snprintf(path, sizeof path, "%s/c%04ld", dir, b);
      if (mkdir(path, 0755) != 0) fail("mkdir", path);
    }
    // DIR/cBBBB/fNNNN: the batch directory's digits, then the file's four.
    int batch = snprintf(path, sizeof path, "%s/c", dir);
    memcpy(path + batch, "0000/f0000", 11);
    size_t file = (size_t)batch + 6;
    start();
    for (long i = 0; i < n; i++) {
      int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
      if (fd < 0) fail("create", path);
      close(fd);
      if ((i + 1) % CREATE_BATCH == 0) {
        next_name(path, (size_t)batch, (size_t)batch + 4);
        memcpy(path + file, "0000", 4);
      } else {
        next_name(path, file, file + 4);
      }
    }
    ns = elapsed_ns();
    report_per(op, n, ns, n, "ns/op");
  } else if (!strcmp(op, "readdir")) {
    snprintf(path, sizeof path, "%s/rd", dir);
    if (mkdir(path, 0755) != 0) fail("mkdir", path);
    char file[600];
    for (int i = 0; i < DIR_ENTRIES; i++) {
      snprintf(file, sizeof file, "%s/f%04d", path, i);
      make_file(file, 0);
    }
    long named = 0;
    start();
    for (long pass = 0; pass < n; pass++) {
      DIR *d = opendir(path);
      if (!d) fail("opendir", path);
      struct dirent *e;
      while ((e = readdir(d)))
        if (e->d_name[0] != '.') named++;
      closedir(d);
    }
    ns = elapsed_ns();
    if (named != n * DIR_ENTRIES) {
      fprintf(stderr, "fsops: readdir saw %ld named entries, expected %ld\n", named, n * DIR_ENTRIES);
      return 3;
    }
    report_per(op, n, ns, named, "ns/entry");
  } else if (!strcmp(op, "seqwrite")) {
    snprintf(path, sizeof path, "%s/seq", dir);
    start();
    for (long pass = 0; pass < n; pass++) make_file(path, SEQ_BYTES);
    ns = elapsed_ns();
    report_rate(op, n, ns, n * SEQ_BYTES);
  } else if (!strcmp(op, "seqread")) {
    snprintf(path, sizeof path, "%s/seq", dir);
    struct stat st;  /* a host may provide the file ready-made */
    if (stat(path, &st) != 0 || st.st_size != SEQ_BYTES) make_file(path, SEQ_BYTES);
    int fd = open(path, O_RDONLY);
    if (fd < 0) fail("open", path);
    long total = 0;
    start();
    for (long pass = 0; pass < n; pass++) {
      if (lseek(fd, 0, SEEK_SET) != 0) fail("lseek", path);
      ssize_t got;
      while ((got = read(fd, buf, CHUNK)) > 0) total += got;
      if (got < 0) fail("read", path);
    }
    ns = elapsed_ns();
    close(fd);
    if (total != n * SEQ_BYTES) {
      fprintf(stderr, "fsops: seqread read %ld bytes, expected %ld\n", total, n * SEQ_BYTES);
      return 3;
    }
    report_rate(op, n, ns, total);
  } else if (!strcmp(op, "clock")) {
    struct timespec ts;
    long sum = 0;
    start();
    for (long i = 0; i < n; i++) {
      clock_gettime(CLOCK_MONOTONIC, &ts);
      sum += ts.tv_nsec;
    }
    ns = elapsed_ns();
    if (sum == -1) puts("");
    report_per(op, n, ns, n, "ns/op");
  } else {
    fprintf(stderr, "fsops: unknown operation %s\n", op);
    return 1;
  }
  return 0;
}
