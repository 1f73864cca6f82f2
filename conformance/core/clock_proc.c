/* clock_proc: clocks, random, argv, environment, poll_oneoff and exit, one
 * host-independent line per check (values that differ by host are reduced
 * to "ok"/"bad"). Exits with status 7 through proc_exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include "../fs/check.h"

static __wasi_timestamp_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  if (__wasi_clock_time_get(id, 1, &t) != 0) return 0;
  return t;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

extern char **environ;

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (__wasi_clockid_t id = 0; id < 4; id++) {
    __wasi_timestamp_t res = 0;
    int e = __wasi_clock_res_get(id, &res);
    printf("res %u: %s %s\n", (unsigned)id, ename(e), res > 0 ? "nonzero" : "zero");
  }
  __wasi_timestamp_t t;
  printf("res invalid: %s\n", ename(__wasi_clock_res_get(99, &t)));
  printf("time invalid: %s\n", ename(__wasi_clock_time_get(99, 1, &t)));
  printf("realtime plausible: %s\n", now(__WASI_CLOCKID_REALTIME) > 1577836800000000000ull ? "ok" : "bad");
  __wasi_timestamp_t last = now(__WASI_CLOCKID_MONOTONIC);
  int backwards = 0;
  for (int i = 0; i < 1000; i++) {
    __wasi_timestamp_t m = now(__WASI_CLOCKID_MONOTONIC);
    if (m < last) backwards++;
    last = m;
  }
  printf("monotonic never backwards: %s\n", backwards ? "bad" : "ok");

  unsigned char buf[64] = {0};
  printf("random 0 bytes: %s\n", ename(__wasi_random_get(buf, 0)));
  int e = __wasi_random_get(buf, sizeof buf);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof buf; i++) nonzero |= buf[i];
  printf("random 64 bytes: %s %s\n", ename(e), nonzero ? "varied" : "zeros");

  printf("argc: %d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]: %s\n", i, argv[i]);
  char *vars[64];
  int n = 0;
  for (char **v = environ; *v && n < 64; v++) vars[n++] = *v;
  qsort(vars, n, sizeof *vars, cmp);
  for (int i = 0; i < n; i++) printf("env %d: %s\n", i, vars[i]);
  printf("sched_yield: %s\n", ename(__wasi_sched_yield()));

  __wasi_event_t events[2];
  __wasi_size_t nevents = 0;
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  printf("poll nothing: %s\n", ename(__wasi_poll_oneoff(subs, events, 0, &nevents)));
  subs[0].userdata = 41;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 20 * 1000000ull;
  __wasi_timestamp_t before = now(__WASI_CLOCKID_MONOTONIC);
  e = __wasi_poll_oneoff(subs, events, 1, &nevents);
  __wasi_timestamp_t slept = now(__WASI_CLOCKID_MONOTONIC) - before;
  printf("poll 20ms: %s events %u userdata %llu type %u error %s slept %s\n", ename(e), (unsigned)nevents,
         (unsigned long long)events[0].userdata, (unsigned)events[0].type, ename(events[0].error),
         slept >= 10 * 1000000ull ? "enough" : "too little" /* timers may fire a little early */);
  /* an absurd relative timeout on a second subscription does not overflow: the short one wins */
  /* (absolute deadlines are left out: node:wasi waits forever on a past MONOTONIC deadline) */
  subs[0].userdata = 43;
  subs[0].u.u.clock.timeout = 5 * 1000000ull;
  subs[1] = subs[0];
  subs[1].userdata = 44;
  subs[1].u.u.clock.timeout = ~0ull;
  e = __wasi_poll_oneoff(subs, events, 2, &nevents);
  printf("poll 5ms vs forever: %s events %u first %llu\n", ename(e), (unsigned)nevents, (unsigned long long)events[0].userdata);
  __wasi_proc_exit(7);
}
