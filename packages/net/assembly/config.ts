// The net driver's link-time configuration (box:config segment 0), written
// by src/index.ts `netConfig`: u32 count, then that many u32 box ports in
// --listen order. The driver adopts that many host listening sockets.

@external("box:config", "size") declare function config_size(segment: u32): u32;
@external("box:config", "copy") declare function config_copy(segment: u32, dst: usize, offset: u32, len: u32): void;

const count: usize = memory.data(4, 4);
let loaded = false;

/** How many listening sockets the box declared with --listen. */
export function port_count(): u32 {
  if (!loaded) {
    loaded = true;
    store<u32>(count, 0);
    if (config_size(0) >= 4) config_copy(0, count, 0, 4);
  }
  return load<u32>(count);
}
