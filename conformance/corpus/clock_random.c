/* clock_random: clock_res_get, clock_time_get and random_get, with their
 * error cases. Values are host-dependent: only their plausibility is printed. */
#include "corpus.h"

int main(void) {
  __wasi_timestamp_t res, t1, t2;
  check("clock_res_get realtime", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &res));
  printf("realtime resolution positive: %s\n", res > 0 ? "yes" : "no");
  check("clock_res_get monotonic", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
  check("clock_res_get bad clock", __wasi_clock_res_get(99, &res));
  check("clock_time_get realtime", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t1));
  printf("realtime after 2020: %s\n", t1 > 1577836800000000000ull ? "yes" : "no");
  check("clock_time_get monotonic", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1));
  check("clock_time_get monotonic again", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t2));
  printf("monotonic does not go back: %s\n", t2 >= t1 ? "yes" : "no");
  check("clock_time_get bad clock", __wasi_clock_time_get(99, 1, &t1));

  uint8_t a[32] = {0}, b[32] = {0};
  check("random_get 0 bytes", __wasi_random_get(a, 0));
  check("random_get 32 bytes", __wasi_random_get(a, sizeof a));
  check("random_get 32 more", __wasi_random_get(b, sizeof b));
  printf("two draws differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
  return 0;
}
