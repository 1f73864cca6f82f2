// Path resolution inside a host directory, confined as the vfs confines its
// tree (packages/vfs/assembly/resolve.ts; WASI path-resolution.md), so that
// no host symlink ever leads out of a mount:
// - paths are relative to the start directory: an absolute path, or a ".."
//   that would climb above the start, answers ENOTCAPABLE (as wasmtime);
// - symlinks are read and followed here, one component at a time, never by
//   the host: an absolute target answers ENOTCAPABLE (as wasmtime/cap-std;
//   the host's "/" is not the box's), at most MAX_HOPS links (ELOOP);
// - each directory on the way is opened with O_NOFOLLOW | O_DIRECTORY and
//   the next name is looked up in that open directory (through
//   /proc/self/fd/N/name, as openat would), so a directory swapped for a
//   symlink after it was checked is refused by the host instead of followed;
// - the last component is left to the caller, who acts on it with
//   no-follow calls only (lstat, O_NOFOLLOW, rename, unlink...).
// Where /proc is missing (not Linux) directories are named by their host
// path instead, and the walk is only as good as the checks (SECURITY.md).

import { closeSync, constants, existsSync, lstatSync, openSync, readlinkSync, type BigIntStats } from 'node:fs';
import { ERRNO_INVAL, ERRNO_LOOP, ERRNO_NAMETOOLONG, ERRNO_NOENT, ERRNO_NOTCAPABLE, ERRNO_NOTDIR } from '@marcotte/abi';
import { WasiError } from './host-errno.ts';

export const MAX_HOPS = 40;
const NAME_MAX = 255;
const PATH_MAX = 4096;
const SLASH = 0x2f;
const DOT = 0x2e;

/** Linux's O_PATH: a handle for lookups that needs no read permission (search is enough, as for a path walk). */
const O_PATH = process.platform === 'linux' ? 0o10000000 : 0;

/** The prefix naming an open fd as a directory, for this process and the processes it starts. */
const FD_DIR = existsSync(`/proc/${process.pid}/fd`) ? `/proc/${process.pid}/fd/` : undefined;

/** An open host directory: its fd, and its host path (used only where /proc is missing). */
export interface DirRef {
  fd: number;
  path: Buffer;
}

/** The host path naming `dir` itself, or `name` inside it. */
export function hostPath(dir: DirRef, name?: Buffer): Buffer {
  const base = FD_DIR ? Buffer.from(`${FD_DIR}${dir.fd}`) : dir.path;
  return name ? Buffer.concat([base, Buffer.from('/'), name]) : base;
}

/** Opens directory `name` in `dir` without following a symlink there. */
export function openDirectory(dir: DirRef, name: Buffer, flags = O_PATH || constants.O_RDONLY): DirRef {
  const fd = openSync(hostPath(dir, name), flags | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  return { fd, path: Buffer.concat([dir.path, Buffer.from('/'), name]) };
}

export interface Lookup {
  /** the directory the path ends in: its last component's parent, or the directory named when `name` is null */
  dir: DirRef;
  /** the last component; null when the path names `dir` itself (".", "..", "a/..") */
  name: Buffer | null;
  /** what the last component is (never a symlink that was to be followed); undefined when it does not exist */
  stat?: BigIntStats;
  /** the path ended in a slash */
  trailing: boolean;
  /** closes the directories the walk opened */
  release(): void;
}

/**
 * Resolves `path` from `start`. `follow`: follow a symlink in the last
 * component. `nameOnly`: the call creates or removes the last name (mkdir,
 * rmdir, unlink, rename, link and symlink's new name), so, as on Linux, a
 * trailing slash neither follows a symlink there nor requires a directory:
 * the call answers for itself.
 */
export function resolve(start: DirRef, path: Buffer, follow: boolean, nameOnly = false): Lookup {
  if (path.length === 0) throw new WasiError(ERRNO_NOENT);
  if (path.includes(0)) throw new WasiError(ERRNO_INVAL);
  if (path.length >= PATH_MAX) throw new WasiError(ERRNO_NAMETOOLONG);
  if (path[0] === SLASH) throw new WasiError(ERRNO_NOTCAPABLE);
  // The directories walked into from `start`; ".." pops one, never `start`.
  const stack: DirRef[] = [start];
  const release = (): void => {
    while (stack.length > 1) closeSync(stack.pop()!.fd);
  };
  const done = (name: Buffer | null, trailing: boolean, stat?: BigIntStats): Lookup => ({
    dir: stack[stack.length - 1]!, name, trailing, release, ...(stat ? { stat } : {}),
  });
  let rest = path;
  let pos = 0;
  let hops = 0;
  try {
    for (;;) {
      while (pos < rest.length && rest[pos] === SLASH) pos++;
      // Only reached when a symlink's target rewrote the path to nothing but slashes after a name.
      if (pos === rest.length) return done(null, true);
      let end = pos;
      while (end < rest.length && rest[end] !== SLASH) end++;
      const name = rest.subarray(pos, end);
      const trailing = end < rest.length;
      let next = end;
      while (next < rest.length && rest[next] === SLASH) next++;
      const last = next === rest.length;
      if (name[0] === DOT && (name.length === 1 || (name.length === 2 && name[1] === DOT))) {
        if (name.length === 2) {
          if (stack.length === 1) throw new WasiError(ERRNO_NOTCAPABLE);
          closeSync(stack.pop()!.fd);
        }
        if (last) return done(null, trailing);
        pos = next;
        continue;
      }
      if (name.length > NAME_MAX) throw new WasiError(ERRNO_NAMETOOLONG);
      const top = stack[stack.length - 1]!;
      const at = hostPath(top, name);
      const stat = lstatSync(at, { bigint: true, throwIfNoEntry: false });
      if (!stat) {
        if (!last) throw new WasiError(ERRNO_NOENT);
        return done(Buffer.from(name), trailing);
      }
      if (stat.isSymbolicLink() && (!last || ((follow || trailing) && !(nameOnly && trailing)))) {
        if (++hops > MAX_HOPS) throw new WasiError(ERRNO_LOOP);
        const target = readlinkSync(at, { encoding: 'buffer' });
        if (target.length === 0) throw new WasiError(ERRNO_NOENT);
        if (target[0] === SLASH) throw new WasiError(ERRNO_NOTCAPABLE);
        // The rest keeps the slash after the name: "link/" still requires a directory.
        rest = Buffer.concat([target, rest.subarray(end)]);
        if (rest.length >= PATH_MAX) throw new WasiError(ERRNO_NAMETOOLONG);
        pos = 0;
        continue;
      }
      if (last) {
        if (trailing && !stat.isDirectory() && !nameOnly) throw new WasiError(ERRNO_NOTDIR);
        return done(Buffer.from(name), trailing, stat);
      }
      if (!stat.isDirectory()) throw new WasiError(ERRNO_NOTDIR);
      stack.push(openDirectory(top, name));
      pos = next;
    }
  } catch (e) {
    release();
    throw e;
  }
}
