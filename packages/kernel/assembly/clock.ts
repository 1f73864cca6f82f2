// What the kernel needs from the clock capability for poll_oneoff: whether
// time is virtual (--clock fixed), the clocks' current values, and a way to
// sleep by moving virtual time. Without a clock capability the linker's stubs
// answer zeros: time is then the host's and sleeps wait in the host's poll.

@external("box:clock", "virtual_time") export declare function virtual_time(): u32;
@external("box:clock", "now") export declare function now(id: u32): u64;
@external("box:clock", "advance") export declare function advance(ns: u64): void;
