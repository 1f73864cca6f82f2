// Raises every preview1 signal (1-30) in turn and prints what each call
// answered, then "alive": a box must answer ENOSYS (52) to each, and the
// host process running it must not receive any of them.
#include <stdint.h>
#include <stdio.h>

// wasi-libc no longer declares it: import it by hand.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t proc_raise(int32_t sig);

int main(void) {
  for (int sig = 1; sig <= 30; sig++) printf("%d:%d\n", sig, (int)proc_raise(sig));
  puts("alive");
  return 0;
}
