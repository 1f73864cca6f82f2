// The vfs's own handles: what the kernel stores in its fd table for a vfs fd.
// A handle is an open inode plus a position and fdflags; the kernel keeps
// the fd number and the rights. Freed slots are reused (any order will do:
// only fds must be lowest-first, and the kernel owns those). A closed slot
// keeps its Handle object for the next open of that slot, so opening and
// closing allocate nothing once the table has grown (no collector work).

import { Inode, inode_release } from "./inode";
import { max_handles } from "./limits";


export class Handle {
  pos: u64 = 0;
  /** the preopen's name ("/" or "."), null for handles from path_open */
  preopen: string | null = null;
  /** false once closed: the object waits in its slot for the next open */
  open: bool = true;
  /** closed: the next free slot (-1: none), a free list through the table */
  nextFree: i32 = -1;
  constructor(public inode: Inode, public fdflags: u16) {}
}

let table: Array<Handle> | null = null;
let freeHead: i32 = -1;
/** What a closed handle points to, so that it keeps no closed inode alive. */
let nothing: Inode | null = null;

export function handles_init(): void {
  table = new Array<Handle>();
  freeHead = -1;
}

/** Opens a handle on `inode`; -1 when max_handles are open (EMFILE: each costs vfs memory). */
export function handle_open(inode: Inode, fdflags: u16): i32 {
  const t = table!;
  if (nothing == null) nothing = inode; // the first open is the root preopen, which lives forever
  let h: i32;
  if (freeHead >= 0) {
    h = freeHead;
    const handle = unchecked(t[h]);
    freeHead = handle.nextFree;
    handle.inode = inode;
    handle.fdflags = fdflags;
    handle.pos = 0;
    // Closing cleared it (a managed field: a store costs the collector's write barrier, a call).
    handle.open = true;
  } else {
    if (t.length >= max_handles) return -1;
    h = t.length;
    t.push(new Handle(inode, fdflags));
  }
  inode.opens++;
  return h;
}

/** The open handle `h`, or null (EBADF). */
export function handle_get(h: u32): Handle | null {
  const t = table;
  if (t == null || h >= <u32>t.length) return null;
  const handle = unchecked(t[h]);
  return handle.open ? handle : null;
}

/** Closes `h` (it is open). */
export function handle_close(h: u32): void {
  const t = table!;
  const handle = unchecked(t[h]);
  const inode = handle.inode;
  handle.open = false;
  handle.inode = nothing!;
  // Only a preopen has one; storing null anyway would cost a write barrier per close.
  if (handle.preopen != null) handle.preopen = null;
  handle.nextFree = freeHead;
  freeHead = <i32>h;
  inode.opens--;
  inode_release(inode);
}
