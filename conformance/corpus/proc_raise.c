/* proc_raise: raising signal 0 (none, which delivers nothing) and a signal
 * number preview1 does not define. A box answers ENOSYS for both (proc's
 * support table: signals are not delivered inside a box). Current wasi-libc
 * no longer declares proc_raise, so the import is declared here. */
#include "corpus.h"

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

int main(void) {
  check("proc_raise none", raw_proc_raise(0));
  check("proc_raise out of range", raw_proc_raise(200));
  return 0;
}
