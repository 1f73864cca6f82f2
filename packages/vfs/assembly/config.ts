// What the vfs imports: its link-time data (box:config) and the time for new
// timestamps (box:clock). Nothing from the host: the vfs holds no authority.
//
// box:config segment 0 is the image index (header, entry table, strings);
// segment 1 is every file's bytes, concatenated. Passive segments cost nothing
// until copied, which is why file bytes are copied one file at a time, on use.

@external("box:config", "size")
export declare function config_size(segment: u32): u32;

@external("box:config", "copy")
export declare function config_copy(segment: u32, dst: usize, offset: u32, len: u32): void;

/** ns since the epoch; 0 when no clock capability is linked. */
@external("box:clock", "realtime")
export declare function clock_realtime(): u64;
