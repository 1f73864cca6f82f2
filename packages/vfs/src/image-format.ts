// The vfs image format as one table: the byte offsets of the index's header
// and of each entry (README.md "Image format" explains the fields). The
// TypeScript side (image.ts) reads these constants; the AssemblyScript side
// reads assembly/image-format.generated.ts, which scripts/generate.ts writes
// from this table (src/image-format.test.ts fails when it is stale).

export const IMAGE_MAGIC = 0x5346564d; // "MVFS"
export const IMAGE_VERSION = 2;
export const IMAGE_HEADER_SIZE = 64;
export const IMAGE_ENTRY_SIZE = 40;

type Width = 'u8' | 'u16' | 'u32' | 'u64';

/** Header fields: offset in the index, width. */
export const HEADER = {
  MAGIC: [0, 'u32'],
  VERSION: [4, 'u32'],
  COUNT: [8, 'u32'],
  STRINGS: [12, 'u32'],
  QUOTA: [16, 'u64'],
  BUILD_TIME: [24, 'u64'],
  WORKDIR_OFF: [32, 'u32'],
  WORKDIR_LEN: [36, 'u32'],
  MAX_FILE_SIZE: [40, 'u64'],
  MAX_PATH: [48, 'u32'],
  MAX_HANDLES: [52, 'u32'],
  MAX_PAGES: [56, 'u32'],
  MAX_META: [60, 'u32'],
} as const satisfies Record<string, readonly [number, Width]>;

/** Entry fields: offset in an entry, width. A and B depend on the type (see below). */
export const ENTRY = {
  TYPE: [0, 'u8'],
  MODE: [2, 'u16'],
  NAME_OFF: [4, 'u32'],
  NAME_LEN: [8, 'u32'],
  /** directory: first child; symlink: target offset; file: 1 + its hard-link leader (0 when alone) */
  A: [12, 'u32'],
  /** directory: child count; symlink: target length; file: names of a hard link */
  B: [16, 'u32'],
  DATA_OFF: [20, 'u32'],
  SIZE: [24, 'u64'],
  MTIME: [32, 'u64'],
} as const satisfies Record<string, readonly [number, Width]>;

/** Offsets only, for code: H.COUNT, E.MTIME. */
const offsets = <T extends Record<string, readonly [number, Width]>>(t: T) =>
  Object.fromEntries(Object.entries(t).map(([k, [at]]) => [k, at])) as { readonly [K in keyof T]: T[K][0] };
export const H = offsets(HEADER);
export const E = offsets(ENTRY);
