// The driver's socket table: handle -> (host fd, kind, shutdown state, fdflags).
//
// Static memory (no start function: nothing may run before the box's _start
// wrapper). A handle is an index; slots are reused lowest-first.

/** A preopened listening socket (sock_accept only) or an accepted connection. */
export const KIND_LISTENER: u8 = 1;
export const KIND_STREAM: u8 = 2;

/** Shutdown bits, as SDFLAGS: RD 1, WR 2. */
export const SHUT_RD: u8 = 1;
export const SHUT_WR: u8 = 2;

/** As many as the kernel's fd table can hold. */
export const MAX_SOCKETS: u32 = 1024;

const ENTRY: u32 = 8;
const OFF_HOST: u32 = 0; // u32: the host's fd
const OFF_KIND: u32 = 4; // u8: 0 when free
const OFF_SHUT: u32 = 5; // u8: SHUT_* bits
const OFF_FLAGS: u32 = 6; // u16: fdflags as the program set them

const table: usize = memory.data(<i32>(MAX_SOCKETS * ENTRY), 8);

/** The slot of a live handle, or 0 (callers answer EBADF). */
export function socket(h: u32): usize {
  if (h >= MAX_SOCKETS) return 0;
  const e = table + <usize>(h * ENTRY);
  return load<u8>(e + OFF_KIND) != 0 ? e : 0;
}

/** A new handle for `hostFd`, or -1 when the table is full. */
export function socket_open(hostFd: u32, kind: u8, flags: u16): i32 {
  for (let h: u32 = 0; h < MAX_SOCKETS; h++) {
    const e = table + <usize>(h * ENTRY);
    if (load<u8>(e + OFF_KIND) != 0) continue;
    store<u32>(e + OFF_HOST, hostFd);
    store<u8>(e + OFF_KIND, kind);
    store<u8>(e + OFF_SHUT, 0);
    store<u16>(e + OFF_FLAGS, flags);
    return <i32>h;
  }
  return -1;
}

export function socket_free(e: usize): void {
  store<u8>(e + OFF_KIND, 0);
}

@inline export function socket_host(e: usize): u32 { return load<u32>(e + OFF_HOST); }
@inline export function socket_kind(e: usize): u8 { return load<u8>(e + OFF_KIND); }
@inline export function socket_shut(e: usize): u8 { return load<u8>(e + OFF_SHUT); }
@inline export function socket_set_shut(e: usize, bits: u8): void { store<u8>(e + OFF_SHUT, load<u8>(e + OFF_SHUT) | bits); }
@inline export function socket_flags(e: usize): u16 { return load<u16>(e + OFF_FLAGS); }
@inline export function socket_set_flags(e: usize, flags: u16): void { store<u16>(e + OFF_FLAGS, flags); }
