// Host errors as preview1 errnos. node:fs reports the host's errno name
// (`e.code`); preview1's errno list is POSIX's, so the names map one to one
// (the order is the spec's). An error with no preview1 name is EIO.

import * as abi from '@marcotte/abi';

const BY_CODE: Record<string, number> = {
  E2BIG: abi.ERRNO_2BIG, EACCES: abi.ERRNO_ACCES, EADDRINUSE: abi.ERRNO_ADDRINUSE, EAGAIN: abi.ERRNO_AGAIN,
  EBADF: abi.ERRNO_BADF, EBUSY: abi.ERRNO_BUSY, EEXIST: abi.ERRNO_EXIST, EFAULT: abi.ERRNO_FAULT, EFBIG: abi.ERRNO_FBIG,
  EINTR: abi.ERRNO_INTR, EINVAL: abi.ERRNO_INVAL, EIO: abi.ERRNO_IO, EISDIR: abi.ERRNO_ISDIR, ELOOP: abi.ERRNO_LOOP,
  EMFILE: abi.ERRNO_MFILE, EMLINK: abi.ERRNO_MLINK, ENAMETOOLONG: abi.ERRNO_NAMETOOLONG, ENFILE: abi.ERRNO_NFILE,
  ENODEV: abi.ERRNO_NODEV, ENOENT: abi.ERRNO_NOENT, ENOMEM: abi.ERRNO_NOMEM, ENOSPC: abi.ERRNO_NOSPC,
  ENOSYS: abi.ERRNO_NOSYS, ENOTDIR: abi.ERRNO_NOTDIR, ENOTEMPTY: abi.ERRNO_NOTEMPTY, ENOTSUP: abi.ERRNO_NOTSUP,
  EOPNOTSUPP: abi.ERRNO_NOTSUP, ENXIO: abi.ERRNO_NXIO, EPERM: abi.ERRNO_PERM, EPIPE: abi.ERRNO_PIPE,
  EROFS: abi.ERRNO_ROFS, ESPIPE: abi.ERRNO_SPIPE, ETXTBSY: abi.ERRNO_TXTBSY, EXDEV: abi.ERRNO_XDEV,
  EDQUOT: abi.ERRNO_DQUOT, EOVERFLOW: abi.ERRNO_OVERFLOW, ENOTCAPABLE: abi.ERRNO_NOTCAPABLE,
};

/** A preview1 errno raised inside the host driver, where returning it through several frames would be noise. */
export class WasiError extends Error {
  readonly errno: number;

  constructor(errno: number) {
    super(`errno ${errno}`);
    this.errno = errno;
  }
}

/** Fails the current call with `errno`. */
export function fail(errno: number): never {
  throw new WasiError(errno);
}

/** The preview1 errno for anything a host call threw: a WasiError's own, node:fs's by name, else EIO. */
export function errnoOf(e: unknown): number {
  if (e instanceof WasiError) return e.errno;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && Object.hasOwn(BY_CODE, code)) return BY_CODE[code]!;
  // node:fs refuses an offset or length it cannot pass to the host.
  if (code === 'ERR_OUT_OF_RANGE') return abi.ERRNO_INVAL;
  // A pointer outside the program's memory: typed arrays refuse it with a plain RangeError.
  if (e instanceof RangeError && code === undefined) return abi.ERRNO_FAULT;
  return abi.ERRNO_IO;
}
