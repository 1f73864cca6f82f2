// The proc configuration baked at link time, delivered by the linker as
// passive data segment 0 (box:config) so it costs nothing until init copies it.
//
// Layout (little-endian): u32 argc, u32 envc, then argc + envc NUL-terminated
// strings: argv[0] (the entrypoint), the default args, then "KEY=VALUE" pairs.

@external("box:config", "size")
export declare function config_size(segment: u32): u32;

@external("box:config", "copy")
export declare function config_copy(segment: u32, dst: usize, offset: u32, len: u32): void;
