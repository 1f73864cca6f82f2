/* poll_sched: poll_oneoff on relative clocks (one, several at once),
 * with no subscriptions, and sched_yield. */
#include "corpus.h"

static __wasi_subscription_t clock_sub(__wasi_userdata_t id, __wasi_timestamp_t timeout, __wasi_subclockflags_t flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = id;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.flags = flags;
  return s;
}

int main(void) {
  __wasi_subscription_t subs[2];
  __wasi_event_t events[2];
  __wasi_size_t n = 99;

  subs[0] = clock_sub(11, 2000000, 0);
  check("poll 2ms", __wasi_poll_oneoff(subs, events, 1, &n));
  printf("poll 2ms events: %u userdata %llu type %u error %s\n", (unsigned)n, (unsigned long long)events[0].userdata, events[0].type, errno_name(events[0].error));

  /* Not checked: absolute clock subscriptions. node:wasi waits for the absolute value taken
   * as a duration (a monotonic "now" is hours of uptime), so the reference never ends. */

  /* The shorter timeout fires first; only it is reported. */
  subs[0] = clock_sub(21, 10000000000ull, 0);
  subs[1] = clock_sub(22, 1000000, 0);
  check("poll two clocks", __wasi_poll_oneoff(subs, events, 2, &n));
  printf("poll two clocks first: %llu\n", (unsigned long long)events[0].userdata);

  check("poll no subscriptions", __wasi_poll_oneoff(subs, events, 0, &n));
  check("sched_yield", __wasi_sched_yield());
  return 0;
}
