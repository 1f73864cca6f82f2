// Setting a host file's times with nanosecond precision. node:fs's utimes
// goes through a double of seconds and libuv keeps microseconds, and it
// cannot leave one of the two times as it is (utimensat's UTIME_OMIT), so a
// program that sets mtim to the nanosecond, or only atim, would read back
// other values than wasmtime gives it. GNU touch calls utimensat with both
// (`-d @SECONDS.NANOS`, `-a`/`-m` alone, `-h` for no-follow); where it is
// missing, node:fs's utimes is the fallback, to the microsecond.

import { lstatSync, lutimesSync, utimesSync } from 'node:fs';
import { FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW } from '@marcotte/abi';
import { fail, WasiError } from './host-errno.ts';
import * as abi from '@marcotte/abi';
import { childProcess } from './node-builtins.ts';

/** touch's messages (strerror) for the errors utimensat can give. */
const MESSAGES: Array<[string, number]> = [
  ['Permission denied', abi.ERRNO_ACCES], ['Operation not permitted', abi.ERRNO_PERM], ['Read-only file system', abi.ERRNO_ROFS],
  ['No such file or directory', abi.ERRNO_NOENT], ['Not a directory', abi.ERRNO_NOTDIR], ['Too many levels of symbolic links', abi.ERRNO_LOOP],
];

let touchMissing = false;

const stamp = (ns: bigint): string => `@${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;

/** One touch call: `which` is -a, -m or both; `at` undefined means now. */
function touch(path: string, noFollow: boolean, which: string[], at: bigint | undefined): void {
  const args = ['-c', ...(noFollow ? ['-h'] : []), ...which, ...(at === undefined ? [] : ['-d', stamp(at)]), '--', path];
  childProcess().execFileSync('touch', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'latin1' });
}

function viaNode(path: Buffer, noFollow: boolean, atim: bigint | undefined, mtim: bigint | undefined, flags: number): void {
  const now = Date.now() / 1000;
  const current = lstatSync(path, { bigint: true });
  const pick = (set: number, setNow: number, value: bigint | undefined, old: bigint): number =>
    flags & setNow ? now : flags & set ? Number(value!) / 1e9 : Number(old) / 1e9;
  const a = pick(FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, atim, current.atimeNs);
  const m = pick(FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW, mtim, current.mtimeNs);
  (noFollow ? lutimesSync : utimesSync)(path, a, m);
}

/** fstflags as wasmtime checks them: an unknown bit, or a time both given and now, is EINVAL. */
export function checkTimes(flags: number): void {
  if (flags & ~0xf) fail(abi.ERRNO_INVAL);
  if ((flags & FSTFLAGS_ATIM && flags & FSTFLAGS_ATIM_NOW) || (flags & FSTFLAGS_MTIM && flags & FSTFLAGS_MTIM_NOW)) fail(abi.ERRNO_INVAL);
}

/**
 * Sets the times `flags` asks for (already checked: no time both given and
 * now) on the file at host path `path`; `noFollow` when `path` ends in a
 * name the caller resolved (the host must not follow it).
 */
export function setTimes(path: Buffer, noFollow: boolean, atim: bigint, mtim: bigint, flags: number): void {
  const a = flags & FSTFLAGS_ATIM_NOW ? 'now' : flags & FSTFLAGS_ATIM ? atim : undefined;
  const m = flags & FSTFLAGS_MTIM_NOW ? 'now' : flags & FSTFLAGS_MTIM ? mtim : undefined;
  if (a === undefined && m === undefined) return;
  // touch takes its path as a string, passed on as UTF-8: a name that is not UTF-8 goes through node:fs.
  const text = path.toString('utf8');
  if (touchMissing || !Buffer.from(text, 'utf8').equals(path)) {
    viaNode(path, noFollow, atim, mtim, flags);
    return;
  }
  const value = (v: bigint | 'now'): bigint | undefined => (v === 'now' ? undefined : v);
  try {
    if (a !== undefined && a === m) touch(text, noFollow, [], value(a));
    else {
      if (a !== undefined) touch(text, noFollow, ['-a'], value(a));
      if (m !== undefined) touch(text, noFollow, ['-m'], value(m));
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') {
      touchMissing = true;
      viaNode(path, noFollow, atim, mtim, flags);
      return;
    }
    const stderr = String((e as { stderr?: unknown }).stderr ?? '');
    const known = MESSAGES.find(([text]) => stderr.includes(text));
    throw new WasiError(known ? known[1] : abi.ERRNO_IO);
  }
}
