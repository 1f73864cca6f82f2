// The host directories of `box run --dir` (packages/runtime/README.md, "Host
// directories"; SECURITY.md): preopened and served by this driver, not by
// node:wasi, which follows the host's symlinks out of a mount. It answers
// fd_prestat_get/fd_prestat_dir_name for the preopens, every path_* call
// from them (host-path-calls.ts) and the fd_* calls on the fds it opened
// (host-fd-calls.ts, host-poll.ts); paths resolve inside the mount
// (host-resolve.ts) and the host is only ever asked about the last
// component, with calls that do not follow it. Semantics are wasmtime's
// preview1 on Linux, as the vfs gives them, so a program sees one
// filesystem in a box. Every other call, and every other fd, goes to the
// lower import object (node:wasi).

import { ERRNO_BADF, ERRNO_SUCCESS } from '@marcotte/abi';
import { GuestMemory } from './guest-memory.ts';
import { errnoOf } from './host-errno.ts';
import { fdCalls } from './host-fd-calls.ts';
import { pathCalls } from './host-path-calls.ts';
import { pollFiles } from './host-poll.ts';
import { HostTable } from './host-table.ts';

export { OPENED_FD_BASE, preopenOrder } from './host-table.ts';

type Fn = (...args: never[]) => unknown;
type AnyFn = (...args: unknown[]) => unknown;

/**
 * Opens the host directories (one that cannot be opened throws, with its
 * path) and returns `lower` with the calls this driver serves wrapped
 * around it, and `close` to release every host fd once the box has ended.
 */
export function hostDirectories(
  dirs: ReadonlyArray<readonly [guest: string, host: string]>, lower: Record<string, Fn>, memory: () => WebAssembly.Memory,
): { imports: Record<string, Fn>; close(): void } {
  const table = new HostTable(dirs);
  const mem = new GuestMemory(memory);
  const imports: Record<string, Fn> = { ...lower };
  for (const [name, call] of Object.entries({ ...fdCalls(table, mem), ...pathCalls(table, mem) })) {
    const below = lower[name] as AnyFn | undefined;
    imports[name] = ((...args: unknown[]) => {
      const ours = call.fds.map((i) => table.ours(args[i] as number));
      if (!ours.some(Boolean)) return below ? below(...args) : ERRNO_BADF;
      try {
        if (!ours.every(Boolean)) return call.mixed ?? ERRNO_BADF;
        return call.body(...args) ?? ERRNO_SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    }) as Fn;
  }
  imports.poll_oneoff = pollFiles(table, mem, (...args) => (lower.poll_oneoff as AnyFn)(...args)) as Fn;
  return { imports, close: () => table.closeAll() };
}
