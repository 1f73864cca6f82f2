/* poll_oneoff, args, environ, clocks, random, sockets, proc_raise and
 * sched_yield with hostile arguments: pointers at and past the end of
 * memory, counts that overflow 32 bits when multiplied by a struct size,
 * invalid clock ids, event types, fds and flags. After each group a normal
 * call sequence must still work. */
#include "hostile.h"

static char buf[256];
static __wasi_size_t n, m;

static void show_event(const char *label, const __wasi_event_t *ev) {
  printf("%s event: userdata=%llu type=%u error=%s\n", label, (unsigned long long)ev->userdata, ev->type, ename(ev->error));
}

/* one subscription; prints the call's errno, then the event if there is one */
static void poll_one(const char *label, __wasi_subscription_t *sub) {
  __wasi_event_t ev;
  __wasi_subscription_t copy = *sub;
  memset(&ev, 0, sizeof ev);
  n = 0;
  int e = T(label, raw_poll_oneoff(P(sub), P(&ev), 1, P(&n)));
  if (!e && n == 1) show_event(label, &ev);
  else if (!e) printf("%s events: %u\n", label, (unsigned)n);
  /* the kernel translates subscriptions in place during the call: they must come back unchanged */
  if (memcmp(&copy, sub, sizeof copy)) printf("%s: subscription changed!\n", label), failures++;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  uint32_t end = END();
  i32 f = -1;
  T("setup open", raw_path_open(3, 0, P("hostile-misc"), 12, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_POLL_FD_READWRITE, 0, 0, P(&f)));
  healthy("setup");

  /* 1. args and environ */
  T("args_sizes_get argc=END", raw_args_sizes_get((i32)end, P(&m)));
  T("args_sizes_get size=END-2", raw_args_sizes_get(P(&n), (i32)(end - 2)));
  T("args_sizes_get argc=BEYOND", raw_args_sizes_get(BEYOND, P(&m)));
  T("args_get argv=END", raw_args_get((i32)end, P(buf)));
  T("args_get buf=END-1", raw_args_get(P(buf), (i32)(end - 1)));
  T("args_get argv=LAST", raw_args_get(LAST, P(buf + 64)));
  T("args_get buf=BEYOND", raw_args_get(P(buf), BEYOND));
  T("environ_sizes_get count=END", raw_environ_sizes_get((i32)end, P(&m)));
  T("environ_sizes_get size=LAST", raw_environ_sizes_get(P(&n), LAST));
  T("environ_get environ=END", raw_environ_get((i32)end, P(buf)));
  T("environ_get buf=END-1", raw_environ_get(P(buf), (i32)(end - 1)));
  T("environ_get buf=BEYOND", raw_environ_get(P(buf), BEYOND));
  T("environ_sizes_get", raw_environ_sizes_get(P(&n), P(&m)));
  printf("environ: %u entries, %u bytes\n", (unsigned)n, (unsigned)m);
  healthy("args and environ");

  /* 2. clocks and random */
  uint64_t t = 0;
  static const i32 ids[] = {4, 99, -1, 0x7fffffff};
  for (unsigned i = 0; i < 4; i++) {
    T(L("clock_res_get id=%d", ids[i]), raw_clock_res_get(ids[i], P(&t)));
    T(L("clock_time_get id=%d", ids[i]), raw_clock_time_get(ids[i], 0, P(&t)));
  }
  T("clock_res_get out=END", raw_clock_res_get(__WASI_CLOCKID_MONOTONIC, (i32)end));
  T("clock_res_get out=END-4", raw_clock_res_get(__WASI_CLOCKID_REALTIME, (i32)(end - 4)));
  T("clock_time_get out=END", raw_clock_time_get(__WASI_CLOCKID_REALTIME, 0, (i32)end));
  T("clock_time_get out=BEYOND", raw_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, BEYOND));
  T("clock_time_get precision=-1", raw_clock_time_get(__WASI_CLOCKID_MONOTONIC, -1, P(&t)));
  T("random_get buf=END len=1", raw_random_get((i32)end, 1));
  T("random_get buf=END-2 len=4", raw_random_get((i32)(end - 2), 4));
  T("random_get buf=0x10 len=0xfffffff8", raw_random_get(0x10, (i32)0xfffffff8u));
  T("random_get buf=BEYOND len=0x20", raw_random_get(BEYOND, 0x20));
  T("random_get len=0xffffffff", raw_random_get(P(buf), (i32)0xffffffffu));
  T("random_get buf=END len=0", raw_random_get((i32)end, 0));
  T("random_get len=0", raw_random_get(P(buf), 0));
  T("random_get len=256", raw_random_get(P(buf), sizeof buf));
  healthy("clocks and random");

  /* 3. poll_oneoff: counts, pointers, then one bad subscription at a time */
  __wasi_subscription_t sub;
  __wasi_event_t ev;
  memset(&sub, 0, sizeof sub);
  sub.userdata = 42;
  sub.u.tag = __WASI_EVENTTYPE_CLOCK;
  sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  sub.u.u.clock.timeout = 0;
  T("poll_oneoff nsubs=0", raw_poll_oneoff(P(&sub), P(&ev), 0, P(&n)));
  T("poll_oneoff nsubs=0x7fffffff", raw_poll_oneoff(P(&sub), P(&ev), 0x7fffffff, P(&n)));
  T("poll_oneoff nsubs=0x05555556 (x48 wraps)", raw_poll_oneoff(P(&sub), P(&ev), 0x05555556, P(&n)));
  T("poll_oneoff nsubs=0xffffffff", raw_poll_oneoff(P(&sub), P(&ev), (i32)0xffffffffu, P(&n)));
  T("poll_oneoff in=END", raw_poll_oneoff((i32)end, P(&ev), 1, P(&n)));
  T("poll_oneoff in=END-24", raw_poll_oneoff((i32)(end - 24), P(&ev), 1, P(&n)));
  T("poll_oneoff in=BEYOND", raw_poll_oneoff(BEYOND, P(&ev), 1, P(&n)));
  T("poll_oneoff out=END", raw_poll_oneoff(P(&sub), (i32)end, 1, P(&n)));
  T("poll_oneoff out=END-16", raw_poll_oneoff(P(&sub), (i32)(end - 16), 1, P(&n)));
  T("poll_oneoff nevents=END", raw_poll_oneoff(P(&sub), P(&ev), 1, (i32)end));
  T("poll_oneoff nevents=LAST", raw_poll_oneoff(P(&sub), P(&ev), 1, LAST));
  poll_one("poll_oneoff clock timeout 0", &sub);
  sub.u.u.clock.id = 99;
  poll_one("poll_oneoff clock id=99", &sub);
  sub.u.u.clock.id = __WASI_CLOCKID_REALTIME;
  sub.u.u.clock.flags = 0xfffe;
  poll_one("poll_oneoff clock flags=0xfffe", &sub);
  sub.u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  sub.u.u.clock.timeout = 0;
  poll_one("poll_oneoff clock absolute 0", &sub);
  sub.u.tag = 7;
  poll_one("poll_oneoff event type 7", &sub);
  sub.u.tag = 0xff;
  poll_one("poll_oneoff event type 0xff", &sub);
  for (unsigned i = 0; i < NBAD; i++) {
    memset(&sub.u, 0, sizeof sub.u);
    sub.u.tag = __WASI_EVENTTYPE_FD_READ;
    sub.u.u.fd_read.file_descriptor = BAD_FDS[i];
    poll_one(L("poll_oneoff fd_read fd=%s", BAD_FD_NAMES[i]), &sub);
    sub.u.tag = __WASI_EVENTTYPE_FD_WRITE;
    poll_one(L("poll_oneoff fd_write fd=%s", BAD_FD_NAMES[i]), &sub);
  }
  sub.u.tag = __WASI_EVENTTYPE_FD_READ;
  sub.u.u.fd_read.file_descriptor = f;
  poll_one("poll_oneoff fd_read file", &sub);
  sub.u.tag = __WASI_EVENTTYPE_FD_WRITE;
  poll_one("poll_oneoff fd_write file", &sub);
  sub.u.u.fd_write.file_descriptor = 3;
  poll_one("poll_oneoff fd_write directory", &sub);
  healthy("poll_oneoff");

  /* 4. sockets: no socket exists in this box */
  static const i32 fds_more[] = {-1, 1023, 1024, 0x7fffffff, 200};
  __wasi_iovec_t riov = {(uint8_t *)buf, 16};
  __wasi_ciovec_t siov = {(const uint8_t *)buf, 16};
  uint16_t flags16 = 0;
  i32 out = -1;
  for (unsigned i = 0; i < 5; i++) {
    T(L("sock_accept fd=%d", fds_more[i]), raw_sock_accept(fds_more[i], 0, P(&out)));
    T(L("sock_recv fd=%d", fds_more[i]), raw_sock_recv(fds_more[i], P(&riov), 1, 0, P(&n), P(&flags16)));
    T(L("sock_send fd=%d", fds_more[i]), raw_sock_send(fds_more[i], P(&siov), 1, 0, P(&n)));
    T(L("sock_shutdown fd=%d", fds_more[i]), raw_sock_shutdown(fds_more[i], __WASI_SDFLAGS_RD));
  }
  T("sock_accept on a file", raw_sock_accept(f, 0, P(&out)));
  T("sock_accept on the preopen", raw_sock_accept(3, 0, P(&out)));
  T("sock_recv on a file", raw_sock_recv(f, P(&riov), 1, 0, P(&n), P(&flags16)));
  T("sock_send on a file", raw_sock_send(f, P(&siov), 1, 0, P(&n)));
  T("sock_shutdown on a file", raw_sock_shutdown(f, __WASI_SDFLAGS_WR));
  T("sock_shutdown on a file how=0xff", raw_sock_shutdown(f, 0xff));
  T("sock_accept on a file flags=0xffff", raw_sock_accept(f, 0xffff, P(&out)));
  T("sock_recv on a file iovs=END", raw_sock_recv(f, (i32)end, 1, 0, P(&n), P(&flags16)));
  T("sock_send on a file iovs_len=0x7fffffff", raw_sock_send(f, P(&siov), 0x7fffffff, 0, P(&n)));
  healthy("sockets");

  /* 5. signals and yield */
  static const i32 sigs[] = {-1, 0, 65, 1000};
  for (unsigned i = 0; i < 4; i++) T(L("proc_raise sig=%d", sigs[i]), raw_proc_raise(sigs[i]));
  T("sched_yield", raw_sched_yield());
  healthy("end");
  printf("failures: %d\n", failures);
  return failures ? 1 : 0;
}
