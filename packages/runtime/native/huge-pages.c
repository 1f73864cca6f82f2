// Transparent-huge-page advice for a WebAssembly memory (Linux, Node-API only,
// so one build serves every Node from 20 on). src/huge-pages.ts decides which
// memories and how far; this file only applies madvise(MADV_HUGEPAGE) from the
// start of a memory's buffer and never past what it is told is the box's own.
//
// Why: a fresh page of a box's memory costs a page fault at first touch
// (~10 us per 4 KiB on a PVM guest); with the advice the kernel backs each
// aligned 2 MiB of the region with one huge page, one fault for 512 pages.

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <node_api.h>

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif

// advise(buffer: ArrayBuffer, bytes: number): number
// `buffer` is a WebAssembly.Memory's (huge-pages.ts passes nothing else; Node-API
// cannot tell one apart), `bytes` at most 4 GiB, all a 32-bit memory can span.
// Advises [start of buffer, start + bytes), bytes rounded down to pages. When
// the address space is limited (RLIMIT_AS), Node may run wasm without guard
// regions, where V8 reserves no more than a memory's capacity: then only the
// buffer's current length is advised, which is committed and surely its own.
// Returns 0, or the errno of madvise (EINVAL: THP off in this kernel; advice
// is best effort and the caller ignores it), or -1 for a bad argument.
static napi_value advise(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_value result;
  int code = -1;
  void *data = NULL;
  size_t length = 0;
  double wanted = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 2 &&
      napi_get_arraybuffer_info(env, argv[0], &data, &length) == napi_ok &&
      napi_get_value_double(env, argv[1], &wanted) == napi_ok &&
      data != NULL && wanted >= 0 && wanted <= 4294967296.0) {
    size_t bytes = (size_t)wanted;
    struct rlimit as;
    // the limit as it is now, soft or hard: one raised since V8 reserved the memory still shows in the hard one
    if (getrlimit(RLIMIT_AS, &as) != 0 || as.rlim_cur != RLIM_INFINITY || as.rlim_max != RLIM_INFINITY) {
      if (bytes > length) bytes = length;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    bytes -= bytes % page;
    // V8 starts a wasm memory on a page boundary (64 KiB); anything else is not one
    if ((uintptr_t)data % page == 0 && bytes > 0) {
      code = madvise(data, bytes, MADV_HUGEPAGE) == 0 ? 0 : errno;
    }
  }
  napi_create_int32(env, code, &result);
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  if (napi_create_function(env, "advise", NAPI_AUTO_LENGTH, advise, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "advise", fn) != napi_ok) return NULL;
  return exports;
}
