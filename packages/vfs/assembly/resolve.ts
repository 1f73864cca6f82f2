// Path resolution (spec: path-resolution.md; DESIGN.md §4), one component at
// a time as the spec's manual algorithm does:
// - paths are relative to the start directory; absolute paths are refused
//   (ENOTCAPABLE), and so is a ".." that would climb above the start;
// - absolute symlink targets resolve from the box's root: after such a jump
//   ".." at the root stays at the root, as on Linux;
// - at most MAX_HOPS symlinks per lookup (ELOOP); the last component's
//   symlink is followed only when asked or when a trailing slash requires a
//   directory;
// - a trailing slash means the result must be a directory.
// Results are left in r_* (one lookup at a time; callers copy what they keep).

import * as app from "../../abi/assembly/app";
import {
  ERRNO_INVAL, ERRNO_LOOP, ERRNO_NAMETOOLONG, ERRNO_NOENT, ERRNO_NOMEM, ERRNO_NOTCAPABLE, ERRNO_NOTDIR, ERRNO_SUCCESS,
} from "../../abi/assembly/constants";
import { dir_lookup, dir_short } from "./directory";
import { Inode } from "./inode";
import { max_path } from "./limits";
import { bytes_to_string, is_dot, is_dotdot } from "./strings";

export const MAX_HOPS: i32 = 40;
export const NAME_MAX: i32 = 255;

/** The directory holding the last component; null when the path ends in "." or "..". */
export let r_parent: Inode | null = null;
/** The last component's name ("." or ".." when r_parent is null). */
export let r_name: string = "";
/** What the path names; null when the last component does not exist (r_parent, r_name say where it would go). */
export let r_inode: Inode | null = null;
/** The path ended with a slash: it must name a directory. */
export let r_trailing: bool = false;

let root: Inode | null = null;

export function resolve_set_root(r: Inode): void {
  root = r;
}

/** The box's root directory (after init). */
export function resolve_root(): Inode {
  return root!;
}

/** Copies a path from app memory as a byte string; null when it has a NUL (EINVAL) or is too long. */
export let read_errno: u16 = ERRNO_SUCCESS;
export function read_path(path: u32, len: u32): string | null {
  if (len >= max_path) {
    read_errno = ERRNO_NAMETOOLONG;
    return null;
  }
  const local = heap.alloc(<usize>len + 1);
  app.copy_in(local, path, len);
  const s = bytes_to_string(local, len);
  heap.free(local);
  if (s.indexOf("\0") >= 0) {
    read_errno = ERRNO_INVAL;
    return null;
  }
  return s;
}

/** Pushes the components of `path` onto `pending` (last component first popped last); marks a trailing slash. */
function push_components(pending: Array<string>, path: string, trailing: bool): void {
  const parts = path.split("/");
  let last = true;
  for (let k = parts.length - 1; k >= 0; k--) {
    const part = unchecked(parts[k]);
    if (part.length == 0) {
      if (last && k > 0) trailing = true;
      continue;
    }
    // A trailing slash is kept as a "/" suffix on the last component.
    pending.push(last && trailing ? part + "/" : part);
    last = false;
  }
  if (last && trailing) pending.push("./");
}

/** Resolves `path` from `start`; `follow` follows a symlink in the last component. */
export function resolve(start: Inode, path: string, follow: bool): u16 {
  r_parent = null;
  r_name = "";
  r_inode = null;
  r_trailing = false;
  if (path.length == 0) return ERRNO_NOENT;
  if (path.charCodeAt(0) == 0x2f) return ERRNO_NOTCAPABLE;
  const pending = new Array<string>();
  push_components(pending, path, false);
  if (pending.length == 0) pending.push(".");
  const stack = new Array<Inode>();
  stack.push(start);
  let fromRoot = false;
  let hops = 0;
  while (pending.length > 0) {
    let name = pending.pop();
    const last = pending.length == 0;
    const trailing = name.length > 1 && name.charCodeAt(name.length - 1) == 0x2f;
    if (trailing) name = name.substring(0, name.length - 1);
    const cur = stack[stack.length - 1];
    if (is_dot(name)) {
      if (last) {
        r_name = name;
        r_inode = cur;
        r_trailing = trailing;
      }
      continue;
    }
    if (is_dotdot(name)) {
      if (stack.length > 1) stack.pop();
      else if (!fromRoot) return ERRNO_NOTCAPABLE;
      if (last) {
        r_name = name;
        r_inode = stack[stack.length - 1];
        r_trailing = trailing;
      }
      continue;
    }
    if (name.length > NAME_MAX) return ERRNO_NAMETOOLONG;
    const child = dir_lookup(cur, name);
    if (child == null) {
      if (dir_short) return ERRNO_NOMEM;
      if (!last) return ERRNO_NOENT;
      r_parent = cur;
      r_name = name;
      r_trailing = trailing;
      return ERRNO_SUCCESS;
    }
    if (child.isSymlink && (!last || follow || trailing)) {
      if (++hops > MAX_HOPS) return ERRNO_LOOP;
      const target = child.target;
      if (target.length == 0) return ERRNO_NOENT;
      if (target.charCodeAt(0) == 0x2f) {
        stack.length = 0;
        stack.push(root!);
        fromRoot = true;
      }
      const before = pending.length;
      push_components(pending, target, trailing);
      if (pending.length == before && last) pending.push(trailing ? "./" : ".");
      continue;
    }
    if (last) {
      if (trailing && !child.isDir) return ERRNO_NOTDIR;
      r_parent = cur;
      r_name = name;
      r_inode = child;
      r_trailing = trailing;
      return ERRNO_SUCCESS;
    }
    if (!child.isDir) return ERRNO_NOTDIR;
    stack.push(child);
  }
  return ERRNO_SUCCESS;
}
