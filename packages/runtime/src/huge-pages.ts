// Transparent-huge-page advice for a box's large memories on Node (Linux).
//
// A box's fresh memory is paid for at first touch: a page fault per 4 KiB
// page (~10 us each on a PVM guest, where writing 64 MiB into the vfs ran at
// 0.17x node:wasi, which writes into the kernel's page cache and faults
// nothing). Where the kernel's THP mode is `madvise` (common), a region
// advised with MADV_HUGEPAGE is backed by 2 MiB pages: one fault for 512
// pages. Neither V8 nor Node can ask for that, so an optional native addon
// (native/huge-pages.c, built when a C compiler and Node's headers are there)
// does; without it, or with MARCOTTE_HUGE_PAGES=0, boxes run as before.
//
// The range: V8 reserves a wasm32 memory's address space when it makes it
// and grows it in place (mprotect inside the reservation), so the advice is
// given once, over [start, start + maximum), and covers every later growth.
// With its trap handler on (Node's default on Linux x64 and arm64), V8
// reserves 8 GiB from a 32-bit memory's start (backing-store.cc,
// kFullGuardSize32, asserted >= 4 GiB), whatever its maximum: the range
// never leaves it. Without the trap handler (--disable-wasm-trap-handler, the
// V8 flag, or Node's own choice when RLIMIT_AS is too small for the guard
// regions) V8 reserves the capacity: on 64-bit hosts the maximum, 4 GiB
// without one (WasmMemoryObject::New), the same range, but less after a
// failed first try (AllocateWasmMemory retries with smaller maxima), which
// an address-space limit makes likely. So then only the current buffer is
// advised (the addon also falls back to that whenever RLIMIT_AS is set,
// soft or hard). 64-bit and shared memories are left alone.

import { CAPABILITY_MEMORY } from './memory-budget.ts';
import { exportedMemoryTypes, type MemoryType } from './memory-types.ts';

const FOUR_GIB = 2 ** 32;
/** Below one huge page of maximum, no huge page can back the memory: nothing to gain. */
const HUGE_PAGE = 2 * 1024 * 1024;

interface Addon {
  /** madvise(MADV_HUGEPAGE) over [start of buffer, + bytes): 0 or an errno (ignored: advice is best effort) */
  advise(buffer: ArrayBuffer, bytes: number): number;
}

/** undefined: not asked for yet; null: not built or not loadable here */
let addon: Addon | null | undefined;

/** Beside this module (../build/ from the sources) or, bundled, beside the CLI's bundle (cli build.mjs copies it). */
const ADDON_URL = new URL(import.meta.url.endsWith('.ts') ? '../build/huge-pages.node' : './huge-pages.node', import.meta.url);

/** The addon, loaded on first need (~0.4 ms: only a box with a memory that can gain pays it). */
export function hugePageAddon(): Addon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.platform !== 'linux' || ADDON_URL.protocol !== 'file:') return addon;
  try {
    const module = { exports: {} as Addon };
    process.dlopen(module, decodeURIComponent(ADDON_URL.pathname));
    if (typeof module.exports.advise === 'function') addon = module.exports;
  } catch {
    // not built (no compiler at install), or built for another platform: run without advice
  }
  return addon;
}

/** Whether the environment turns the advice off (MARCOTTE_HUGE_PAGES=0), read at each run so that one process can compare both. */
export function hugePagesWanted(): boolean {
  return process.env.MARCOTTE_HUGE_PAGES !== '0';
}

/**
 * Whether V8 gives 32-bit memories guard regions here (8 GiB reserved from the start): its trap
 * handler is on, as Node turns it on for Linux on x64 and arm64 unless a flag says otherwise. A
 * config file (--experimental-config-file, or --experimental-default-config-file and a
 * node.config.json in the working directory) can give Node that flag out of sight of execArgv:
 * with one, and on other runtimes that offer process.dlopen (Bun, Deno), it is not assumed.
 */
function guardRegions(): boolean {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return false;
  if (process.versions.bun !== undefined || process.versions.deno !== undefined) return false;
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  return !/wasm[-_]trap[-_]handler|config[-_]file/.test(flags);
}

/** Whether a memory of this type is advised: 32-bit, not shared, a maximum above one huge page. */
function canGain(type: MemoryType): boolean {
  return !type.memory64 && !type.shared && (type.maxBytes === undefined || type.maxBytes > HUGE_PAGE);
}

/** WebAssembly.Memory's own `buffer` getter: it answers for a real memory only (a brand check). */
const BUFFER = Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer')!.get!;

/**
 * The buffer of `value` if it is a WebAssembly.Memory, undefined otherwise. Not `instanceof` and
 * `.buffer`: an object made from Memory.prototype with a `buffer` of its own passes both, and the
 * addon would advise from the start of any page-aligned buffer (a resizable ArrayBuffer's) up to
 * 4 GiB, past what it owns (adviseHugePages takes a host's exports, which may be wrapped).
 */
function memoryBuffer(value: unknown): ArrayBuffer | undefined {
  try {
    return BUFFER.call(value) as ArrayBuffer;
  } catch {
    return undefined;
  }
}

/** Which memories of a box to advise, and how: `apply` it to an instance of that box. */
export interface HugePagePlan {
  names: string[];
  apply(exports: WebAssembly.Exports): string[];
}

/**
 * The plan for the box `bytes`: its capabilities' large memories (exports named box.<cap>.memory*,
 * typed by the module's own sections), with the addon loaded; undefined when nothing is to be
 * advised (switched off, no such memory, no addon). runBox makes it while V8 compiles the box on
 * its own threads, so that its ~1 ms of this thread's time (the addon's load, the sections read)
 * is not added to a run's wall time. Never throws: a module it cannot read is left as it is.
 */
export function hugePagePlan(bytes: Uint8Array): HugePagePlan | undefined {
  if (!hugePagesWanted()) return undefined;
  let types: Map<string, MemoryType>;
  try {
    types = exportedMemoryTypes(bytes, (name) => CAPABILITY_MEMORY.test(name));
  } catch {
    return undefined;
  }
  const chosen = [...types].filter(([, type]) => canGain(type));
  if (chosen.length === 0) return undefined;
  const native = hugePageAddon();
  if (!native) return undefined;
  const guarded = guardRegions();
  return {
    names: chosen.map(([name]) => name),
    apply(exports) {
      const advised: string[] = [];
      for (const [name, type] of chosen) {
        const buffer = memoryBuffer(exports[name]);
        if (!buffer) continue;
        const bytes = guarded ? Math.min(type.maxBytes ?? FOUR_GIB, FOUR_GIB) : buffer.byteLength;
        // a failed madvise (THP compiled out: EINVAL) leaves the memory as it is: advice is best effort
        if (native.advise(buffer, bytes) === 0) advised.push(name);
      }
      return advised;
    },
  };
}

/** Advises the large capability memories of an instance of the box `bytes` (hugePagePlan, then apply). Returns the names advised. */
export function adviseHugePages(bytes: Uint8Array, exports: WebAssembly.Exports): string[] {
  return hugePagePlan(bytes)?.apply(exports) ?? [];
}
