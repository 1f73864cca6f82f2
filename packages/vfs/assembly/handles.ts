// The vfs's own handles: what the kernel stores in its fd table for a vfs fd.
// A handle is an open inode plus a position and fdflags; the kernel keeps
// the fd number and the rights. Freed slots are reused (any order will do:
// only fds must be lowest-first, and the kernel owns those).

import { Inode, inode_release } from "./inode";
import { max_handles } from "./limits";


export class Handle {
  pos: u64 = 0;
  /** the preopen's name ("/" or "."), null for handles from path_open */
  preopen: string | null = null;
  constructor(public inode: Inode, public fdflags: u16) {}
}

let table: Array<Handle | null> | null = null;
let free: Array<i32> | null = null;

export function handles_init(): void {
  table = new Array<Handle | null>();
  free = new Array<i32>();
}

/** Opens a handle on `inode`; -1 when max_handles are open (EMFILE: each costs vfs memory). */
export function handle_open(inode: Inode, fdflags: u16): i32 {
  const t = table!;
  const f = free!;
  let h: i32;
  if (f.length > 0) h = f.pop();
  else {
    if (t.length >= max_handles) return -1;
    h = t.length;
    t.push(null);
  }
  t[h] = new Handle(inode, fdflags);
  inode.opens++;
  return h;
}

/** The open handle `h`, or null (EBADF). */
export function handle_get(h: u32): Handle | null {
  const t = table;
  if (t == null || h >= <u32>t.length) return null;
  return unchecked(t[h]);
}

/** Closes `h` (it is open). */
export function handle_close(h: u32): void {
  const t = table!;
  const handle = unchecked(t[h])!;
  t[h] = null;
  free!.push(<i32>h);
  handle.inode.opens--;
  inode_release(handle.inode);
}
