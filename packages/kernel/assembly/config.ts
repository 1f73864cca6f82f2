// The kernel's link-time configuration (box:config segment 0):
// u32 count, then that many NUL-terminated mount point paths ("/data").
// A box whose vfs is linked lets the host's preopens in only at these paths.

@external("box:config", "size") declare function config_size(segment: u32): u32;
@external("box:config", "copy") declare function config_copy(segment: u32, dst: usize, offset: u32, len: u32): void;

let mounts: usize = 0;
let mountsLen: u32 = 0;

function load_mounts(): void {
  if (mounts != 0) return;
  mountsLen = config_size(0);
  mounts = heap.alloc(<usize>(mountsLen < 4 ? 4 : mountsLen));
  store<u32>(mounts, 0);
  if (mountsLen >= 4) config_copy(0, mounts, 0, mountsLen);
}

/** True when the `len` bytes at `name` (kernel memory) equal a declared mount point. */
export function is_mount_point(name: usize, len: u32): bool {
  load_mounts();
  let at = mounts + 4;
  const count = load<u32>(mounts);
  for (let i: u32 = 0; i < count; i++) {
    let n: u32 = 0;
    while (load<u8>(at + n) != 0) n++;
    if (n == len && memory.compare(at, name, len) == 0) return true;
    at += n + 1;
  }
  return false;
}
