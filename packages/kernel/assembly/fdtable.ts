// The box's fd table: fd -> (driver, handle, rights, fdflags).
//
// One table for the whole box, because the fd namespace is shared by every
// driver. Entries live in kernel memory at a fixed stride so a lookup is one
// multiply and one load. Numbers are reused lowest-first, as POSIX requires
// of open(2) and as wasi-libc's preopen scan expects.

/** Which driver serves an fd. */
export const DRIVER_HOST: u8 = 1;
export const DRIVER_VFS: u8 = 2;
export const DRIVER_NET: u8 = 3;

/** POSIX's usual soft limit; beyond it allocation answers EMFILE. */
export const MAX_FDS: u32 = 1024;

const ENTRY_SIZE: u32 = 32;
const OFF_DRIVER: u32 = 0; // u8
const OFF_FLAGS: u32 = 1; // u8: FLAG_*
const OFF_FDFLAGS: u32 = 2; // u16
const OFF_HANDLE: u32 = 4; // u32, the driver's own name for the open object
const OFF_RIGHTS_BASE: u32 = 8; // u64
const OFF_RIGHTS_INHERITING: u32 = 16; // u64

const FLAG_USED: u8 = 1;
const FLAG_PREOPEN: u8 = 2;

let table: usize = 0;
/** No fd below this is free: the lowest-free scan starts here (fd_free lowers it). */
let lowHint: u32 = 0;

/** Allocates the table; every entry starts free. */
export function fdtable_init(): void {
  if (table == 0) table = heap.alloc(<usize>(MAX_FDS * ENTRY_SIZE));
  memory.fill(table, 0, <usize>(MAX_FDS * ENTRY_SIZE));
  lowHint = 0;
}

/** The entry of an open fd, or 0 when the fd is not open (callers answer EBADF). */
export function fd_entry(fd: u32): usize {
  if (fd >= MAX_FDS) return 0;
  const e = table + <usize>(fd * ENTRY_SIZE);
  return load<u8>(e + OFF_FLAGS) & FLAG_USED ? e : 0;
}

/** Lowest free fd, or -1 when the table is full (EMFILE). */
export function fd_lowest_free(): i32 {
  for (let fd: u32 = lowHint; fd < MAX_FDS; fd++) {
    if (!(load<u8>(table + <usize>(fd * ENTRY_SIZE) + OFF_FLAGS) & FLAG_USED)) {
      lowHint = fd;
      return <i32>fd;
    }
  }
  lowHint = MAX_FDS;
  return -1;
}

/** Fills fd's slot. The caller picked fd (lowest free, or a fixed number for stdio and preopens). */
export function fd_set(fd: u32, driver: u8, handle: u32, base: u64, inheriting: u64, fdflags: u16, preopen: bool): void {
  const e = table + <usize>(fd * ENTRY_SIZE);
  store<u8>(e + OFF_DRIVER, driver);
  store<u8>(e + OFF_FLAGS, FLAG_USED | (preopen ? FLAG_PREOPEN : 0));
  store<u16>(e + OFF_FDFLAGS, fdflags);
  store<u32>(e + OFF_HANDLE, handle);
  store<u64>(e + OFF_RIGHTS_BASE, base);
  store<u64>(e + OFF_RIGHTS_INHERITING, inheriting);
}

/** Opens a new fd at the lowest free number; -1 when the table is full. */
export function fd_allocate(driver: u8, handle: u32, base: u64, inheriting: u64, fdflags: u16): i32 {
  const fd = fd_lowest_free();
  if (fd >= 0) fd_set(<u32>fd, driver, handle, base, inheriting, fdflags, false);
  return fd;
}

export function fd_free(fd: u32): void {
  store<u8>(table + <usize>(fd * ENTRY_SIZE) + OFF_FLAGS, 0);
  if (fd < lowHint) lowHint = fd;
}

/** Moves `from`'s entry onto `to` (both open; the caller has closed `to`'s handle). */
export function fd_move(from: u32, to: u32): void {
  if (from == to) return;
  memory.copy(table + <usize>(to * ENTRY_SIZE), table + <usize>(from * ENTRY_SIZE), ENTRY_SIZE);
  fd_free(from);
}

// Accessors on an entry returned by fd_entry.
@inline export function entry_driver(e: usize): u8 { return load<u8>(e + OFF_DRIVER); }
@inline export function entry_handle(e: usize): u32 { return load<u32>(e + OFF_HANDLE); }
@inline export function entry_fdflags(e: usize): u16 { return load<u16>(e + OFF_FDFLAGS); }
@inline export function entry_set_fdflags(e: usize, flags: u16): void { store<u16>(e + OFF_FDFLAGS, flags); }
@inline export function entry_rights_base(e: usize): u64 { return load<u64>(e + OFF_RIGHTS_BASE); }
@inline export function entry_rights_inheriting(e: usize): u64 { return load<u64>(e + OFF_RIGHTS_INHERITING); }
@inline export function entry_is_preopen(e: usize): bool { return (load<u8>(e + OFF_FLAGS) & FLAG_PREOPEN) != 0; }
@inline export function entry_set_rights(e: usize, base: u64, inheriting: u64): void {
  store<u64>(e + OFF_RIGHTS_BASE, base);
  store<u64>(e + OFF_RIGHTS_INHERITING, inheriting);
}
/** True when every right in `needed` is held. */
@inline export function entry_has(e: usize, needed: u64): bool { return (load<u64>(e + OFF_RIGHTS_BASE) & needed) == needed; }
