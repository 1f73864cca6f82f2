// Names and symlink targets are bytes (POSIX names need not be UTF-8). They
// are kept as AssemblyScript strings with one char per byte, so that Map can
// key on them and no byte sequence is ever lost by decoding.

/** The string whose chars are the `len` bytes at `ptr`. */
export function bytes_to_string(ptr: usize, len: u32): string {
  const s = changetype<usize>(__new(<usize>len << 1, idof<string>()));
  for (let i: usize = 0; i < <usize>len; i++) store<u16>(s + (i << 1), load<u8>(ptr + i));
  return changetype<string>(s);
}

/** Writes the bytes of a byte string to `dst` (length: s.length). */
export function string_to_bytes(s: string, dst: usize): void {
  const src = changetype<usize>(s);
  const len = <usize>s.length;
  for (let i: usize = 0; i < len; i++) store<u8>(dst + i, <u8>load<u16>(src + (i << 1)));
}

@inline export function is_dot(s: string): bool {
  return s.length == 1 && s.charCodeAt(0) == 0x2e;
}

@inline export function is_dotdot(s: string): bool {
  return s.length == 2 && s.charCodeAt(0) == 0x2e && s.charCodeAt(1) == 0x2e;
}
