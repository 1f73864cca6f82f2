// The host-directory driver's fds: the preopens (host fds 3, 4, ... in the
// order of `dirs`, one per guest name, where the kernel's preopen scan asks)
// and what path_open opened beneath them, numbered from OPENED_FD_BASE (far
// from what node:wasi hands out, below the socket bridge's CONN_FD_BASE).
// Every number in those ranges is the driver's, open or not: a closed
// preopen's number must not reach node:wasi's placeholder preopen there.

import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { ERRNO_BADF, ERRNO_NOTDIR } from '@marcotte/abi';
import { fail } from './host-errno.ts';
import type { DirRef } from './host-resolve.ts';
import { CONN_FD_BASE } from './socket-host.ts';

export const OPENED_FD_BASE = 0x2000_0000;

export interface Handle {
  /** the open host fd */
  fd: number;
  /** set for a directory: how lookups name it */
  dir?: DirRef;
  /** a preopen's guest name */
  preopen?: Buffer;
  /** the mount's root directory, whose ".." readdir reports as itself */
  root: { dev: bigint; ino: bigint };
  readable: boolean;
  writable: boolean;
  /** the file offset: node:fs has no lseek, so reads and writes pass it */
  position: bigint;
  /** a directory's names as read at cookie 0, so that cookies stay valid while entries go (host-readdir.ts) */
  names?: Buffer[];
  fdflags: number;
}

/** Each host directory once per guest name, in first-seen order (node:wasi's preopens dedupe the same way). */
export function preopenOrder(dirs: ReadonlyArray<readonly [guest: string, host: string]>): Array<[guest: string, host: string]> {
  return Object.entries(Object.fromEntries(dirs));
}

export class HostTable {
  private readonly handles = new Map<number, Handle>();
  private readonly preopens: number;
  private next = OPENED_FD_BASE;

  /** Opens the directories; one that cannot be opened throws, with the others closed. */
  constructor(dirs: ReadonlyArray<readonly [guest: string, host: string]>) {
    const order = preopenOrder(dirs);
    this.preopens = order.length;
    try {
      order.forEach(([guest, host], i) => {
        const fd = openSync(host, constants.O_RDONLY | constants.O_DIRECTORY);
        this.handles.set(3 + i, {
          fd, dir: { fd, path: Buffer.from(host) }, preopen: Buffer.from(guest), root: fstatSync(fd, { bigint: true }),
          readable: true, writable: false, position: 0n, fdflags: 0,
        });
      });
    } catch (e) {
      this.closeAll();
      throw e;
    }
  }

  /** True for the numbers this driver answers for. */
  ours(fd: number): boolean {
    return (fd >= 3 && fd < 3 + this.preopens) || (fd >= OPENED_FD_BASE && fd < CONN_FD_BASE);
  }

  get(fd: number): Handle | undefined {
    return this.handles.get(fd);
  }

  handle(fd: number): Handle {
    return this.handles.get(fd) ?? fail(ERRNO_BADF);
  }

  directory(fd: number): DirRef {
    return this.handle(fd).dir ?? fail(ERRNO_NOTDIR);
  }

  /** The handle of a file; a directory fails with `onDir`. */
  file(fd: number, onDir: number): Handle {
    const h = this.handle(fd);
    if (h.dir) fail(onDir);
    return h;
  }

  /** Numbers a newly opened handle. */
  add(h: Handle): number {
    const fd = this.next++;
    this.handles.set(fd, h);
    return fd;
  }

  /** Closes fd's host fd and forgets it. */
  close(fd: number): void {
    const h = this.handle(fd);
    this.handles.delete(fd);
    closeSync(h.fd);
  }

  /** fd_renumber: `to` is closed and takes `from`'s handle. */
  move(from: number, to: number): void {
    const h = this.handle(from);
    this.handle(to);
    if (from === to) return;
    this.close(to);
    this.handles.set(to, h);
    this.handles.delete(from);
  }

  closeAll(): void {
    for (const h of this.handles.values()) closeSync(h.fd);
    this.handles.clear();
  }
}

/**
 * One call the driver serves: `body` runs when the fds at argument positions
 * `fds` are the driver's; when none is, the lower host serves the call; when
 * only some are, the call answers `mixed` (EXDEV for link and rename, as
 * across filesystems).
 */
export interface HostCall {
  fds: readonly number[];
  mixed?: number;
  /** the call's own arguments: each body declares its preview1 signature where it is written */
  // biome-ignore lint/suspicious/noExplicitAny: one table holds bodies of every preview1 signature
  // biome-ignore lint/suspicious/noConfusingVoidType: bodies that only check their arguments return nothing
  body: (...args: any[]) => number | void;
}
