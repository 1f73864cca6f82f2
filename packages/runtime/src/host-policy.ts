// What the Node host never lets a box do, whatever code the box carries.
// A box's own kernel already keeps these rules (stdio holds no seek or
// truncate rights; proc_raise is answered inside the box), but a box file
// is untrusted input: one written by hand imports what it likes, so the
// host enforces them again at its boundary.

import { ERRNO_NOSYS, ERRNO_NOTCAPABLE, ERRNO_SPIPE, ERRNO_SUCCESS, NEVER_HOST } from '@marcotte/abi';
import { LimitError } from './errors.ts';
import { iovecs } from './stdio.ts';

type Fn = (...a: unknown[]) => unknown;

const isStdio = (fd: unknown): boolean => typeof fd === 'number' && fd >= 0 && fd < 3;

/**
 * Stdio is the user's terminal, pipe or file (`>> app.log`): a box may read
 * and write it as a stream, never position in it, truncate, extend, retime
 * or replace it. Positioned calls answer ESPIPE, as on a pipe; calls that
 * change the file answer ENOTCAPABLE, the rights the kernel gives stdio.
 */
const STDIO_REFUSED: Readonly<Record<string, number>> = {
  fd_seek: ERRNO_SPIPE,
  fd_tell: ERRNO_SPIPE,
  fd_pread: ERRNO_SPIPE,
  fd_pwrite: ERRNO_SPIPE,
  fd_advise: ERRNO_SPIPE,
  fd_allocate: ERRNO_SPIPE,
  fd_filestat_set_size: ERRNO_NOTCAPABLE,
  fd_filestat_set_times: ERRNO_NOTCAPABLE,
  fd_fdstat_set_flags: ERRNO_NOTCAPABLE,
};

export interface PolicyOptions {
  /** end the box (LimitError) before it writes more than this many bytes to stdout and stderr */
  maxOutput?: number;
  /** the memory the host functions read (the program's) */
  memory: () => WebAssembly.Memory;
}

/** Rewrites `host` (a wasi_snapshot_preview1 import object) in place so that it keeps the rules above. */
export function confineHost(host: Record<string, Fn>, options: PolicyOptions): void {
  // proc_raise on Node signals the whole process: SIGUSR1 opens its inspector, SIGSTOP freezes it.
  for (const name of NEVER_HOST) host[name] = () => ERRNO_NOSYS;
  for (const [name, errno] of Object.entries(STDIO_REFUSED)) {
    const fn = host[name];
    if (fn) host[name] = (fd, ...rest) => (isStdio(fd) ? errno : fn(fd, ...rest));
  }
  // The host's stdio stays open and in place: closing or renumbering onto fds 0-2 would hand
  // the user's terminal or log file to whatever the box opens next.
  const close = host.fd_close;
  if (close) host.fd_close = (fd) => (isStdio(fd) ? ERRNO_SUCCESS : close(fd));
  const renumber = host.fd_renumber;
  if (renumber) host.fd_renumber = (from, to) => (isStdio(from) || isStdio(to) ? ERRNO_NOTCAPABLE : renumber(from, to));
  if (options.maxOutput !== undefined && host.fd_write) host.fd_write = limitOutput(host.fd_write, options.maxOutput, options.memory);
}

/**
 * fd_write that counts what goes to stdout and stderr before it is written:
 * a write that would pass `limit` ends the box (LimitError) and writes
 * nothing, so a box never puts more than `limit` bytes on the host's stdio,
 * however large one call's iovecs are.
 */
function limitOutput(fdWrite: Fn, limit: number, memory: () => WebAssembly.Memory): Fn {
  let written = 0;
  return (fd, iovs, count, nwritten) => {
    if (!isStdio(fd)) return fdWrite(fd, iovs, count, nwritten);
    const view = new DataView(memory().buffer);
    const list = iovecs(view, iovs as number, count as number);
    // Iovecs outside memory are the host's to refuse (EFAULT, nothing written).
    if (!list) return fdWrite(fd, iovs, count, nwritten);
    const asked = list.reduce((n, [, len]) => n + len, 0);
    if (written + asked > limit) throw new LimitError(`output limit of ${limit} bytes reached`);
    const err = fdWrite(fd, iovs, count, nwritten);
    if (err === ERRNO_SUCCESS) written += view.getUint32(nwritten as number, true);
    return err;
  };
}
