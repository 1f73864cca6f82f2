// The single source of truth for the wasi_snapshot_preview1 ABI as this
// project sees it. Written by hand from the witx in shared/spec/wasi-preview1;
// src/table.test.ts re-derives everything here from the witx and fails on any
// drift, and scripts/generate.ts turns it into AssemblyScript and TypeScript.
//
// Everything is at the *core wasm* level (after witx lowering), because that
// is the level at which boxes are linked: a capability module exports exactly
// these signatures.

export type WasmType = 'i32' | 'i64';

export interface WasiParam {
  name: string;
  /**
   * The witx type as written (`$` dropped). Lowered parts use the convention:
   * string -> `const_pointer<u8>` + `size`; list<T> -> `pointer<T>` + `size`;
   * each ok value of an `expected` -> `pointer<T>` out-parameter.
   */
  type: string;
  wasm: WasmType;
}

export interface WasiFunction {
  name: string;
  /** Core wasm params after lowering, out-pointers last. */
  params: WasiParam[];
  /** `['i32']` (the errno) or `[]` for the noreturn proc_exit. */
  results: WasmType[];
  /** params[0] is an fd: the call can be routed by its first argument. */
  takesFd: boolean;
  /**
   * Indices into `params` of every fd-typed param. Needed because
   * path_symlink takes its fd second, and path_link / path_rename /
   * fd_renumber take two fds that may belong to different owners.
   */
  fdParams: number[];
}

const i32 = (name: string, type: string): WasiParam => ({ name, type, wasm: 'i32' });
const i64 = (name: string, type: string): WasiParam => ({ name, type, wasm: 'i64' });
/** witx `string`, lowered to (ptr, len). */
const str = (name: string): WasiParam[] => [i32(name, 'const_pointer<u8>'), i32(`${name}_len`, 'size')];
/** witx `list<T>`, lowered to (ptr, len). */
const list = (name: string, element: string): WasiParam[] => [
  i32(name, `pointer<${element}>`),
  i32(`${name}_len`, 'size'),
];
/** Out-pointer for one ok value of an `expected<T, errno>` result. */
const out = (name: string, type: string): WasiParam => i32(name, `pointer<${type}>`);

function fn(name: string, params: WasiParam[], results: WasmType[] = ['i32']): WasiFunction {
  const fdParams: number[] = [];
  params.forEach((p, i) => {
    if (p.type === 'fd') fdParams.push(i);
  });
  return { name, params, results, takesFd: params[0]?.type === 'fd', fdParams };
}

const fd = i32('fd', 'fd');

/** All 46 functions, in witx order. Out-pointer names follow the names WASI used before witx 0.9 made results anonymous. */
export const FUNCTIONS: readonly WasiFunction[] = [
  fn('args_get', [i32('argv', 'pointer<pointer<u8>>'), i32('argv_buf', 'pointer<u8>')]),
  fn('args_sizes_get', [out('argc', 'size'), out('argv_buf_size', 'size')]),
  fn('environ_get', [i32('environ', 'pointer<pointer<u8>>'), i32('environ_buf', 'pointer<u8>')]),
  fn('environ_sizes_get', [out('environc', 'size'), out('environ_buf_size', 'size')]),
  fn('clock_res_get', [i32('id', 'clockid'), out('resolution', 'timestamp')]),
  fn('clock_time_get', [i32('id', 'clockid'), i64('precision', 'timestamp'), out('time', 'timestamp')]),
  fn('fd_advise', [fd, i64('offset', 'filesize'), i64('len', 'filesize'), i32('advice', 'advice')]),
  fn('fd_allocate', [fd, i64('offset', 'filesize'), i64('len', 'filesize')]),
  fn('fd_close', [fd]),
  fn('fd_datasync', [fd]),
  fn('fd_fdstat_get', [fd, out('stat', 'fdstat')]),
  fn('fd_fdstat_set_flags', [fd, i32('flags', 'fdflags')]),
  fn('fd_fdstat_set_rights', [fd, i64('fs_rights_base', 'rights'), i64('fs_rights_inheriting', 'rights')]),
  fn('fd_filestat_get', [fd, out('buf', 'filestat')]),
  fn('fd_filestat_set_size', [fd, i64('size', 'filesize')]),
  fn('fd_filestat_set_times', [
    fd,
    i64('atim', 'timestamp'),
    i64('mtim', 'timestamp'),
    i32('fst_flags', 'fstflags'),
  ]),
  fn('fd_pread', [fd, ...list('iovs', 'iovec'), i64('offset', 'filesize'), out('nread', 'size')]),
  fn('fd_prestat_get', [fd, out('buf', 'prestat')]),
  fn('fd_prestat_dir_name', [fd, i32('path', 'pointer<u8>'), i32('path_len', 'size')]),
  fn('fd_pwrite', [fd, ...list('iovs', 'ciovec'), i64('offset', 'filesize'), out('nwritten', 'size')]),
  fn('fd_read', [fd, ...list('iovs', 'iovec'), out('nread', 'size')]),
  fn('fd_readdir', [
    fd,
    i32('buf', 'pointer<u8>'),
    i32('buf_len', 'size'),
    i64('cookie', 'dircookie'),
    out('bufused', 'size'),
  ]),
  fn('fd_renumber', [fd, i32('to', 'fd')]),
  fn('fd_seek', [fd, i64('offset', 'filedelta'), i32('whence', 'whence'), out('newoffset', 'filesize')]),
  fn('fd_sync', [fd]),
  fn('fd_tell', [fd, out('offset', 'filesize')]),
  fn('fd_write', [fd, ...list('iovs', 'ciovec'), out('nwritten', 'size')]),
  fn('path_create_directory', [fd, ...str('path')]),
  fn('path_filestat_get', [fd, i32('flags', 'lookupflags'), ...str('path'), out('buf', 'filestat')]),
  fn('path_filestat_set_times', [
    fd,
    i32('flags', 'lookupflags'),
    ...str('path'),
    i64('atim', 'timestamp'),
    i64('mtim', 'timestamp'),
    i32('fst_flags', 'fstflags'),
  ]),
  fn('path_link', [
    i32('old_fd', 'fd'),
    i32('old_flags', 'lookupflags'),
    ...str('old_path'),
    i32('new_fd', 'fd'),
    ...str('new_path'),
  ]),
  fn('path_open', [
    fd,
    i32('dirflags', 'lookupflags'),
    ...str('path'),
    i32('oflags', 'oflags'),
    i64('fs_rights_base', 'rights'),
    i64('fs_rights_inheriting', 'rights'),
    i32('fdflags', 'fdflags'),
    out('opened_fd', 'fd'),
  ]),
  fn('path_readlink', [fd, ...str('path'), i32('buf', 'pointer<u8>'), i32('buf_len', 'size'), out('bufused', 'size')]),
  fn('path_remove_directory', [fd, ...str('path')]),
  fn('path_rename', [fd, ...str('old_path'), i32('new_fd', 'fd'), ...str('new_path')]),
  fn('path_symlink', [...str('old_path'), fd, ...str('new_path')]),
  fn('path_unlink_file', [fd, ...str('path')]),
  fn('poll_oneoff', [
    i32('in', 'const_pointer<subscription>'),
    i32('out', 'pointer<event>'),
    i32('nsubscriptions', 'size'),
    out('nevents', 'size'),
  ]),
  fn('proc_exit', [i32('rval', 'exitcode')], []),
  fn('proc_raise', [i32('sig', 'signal')]),
  fn('sched_yield', []),
  fn('random_get', [i32('buf', 'pointer<u8>'), i32('buf_len', 'size')]),
  fn('sock_accept', [fd, i32('flags', 'fdflags'), out('ro_fd', 'fd')]),
  fn('sock_recv', [
    fd,
    ...list('ri_data', 'iovec'),
    i32('ri_flags', 'riflags'),
    out('ro_datalen', 'size'),
    out('ro_flags', 'roflags'),
  ]),
  fn('sock_send', [fd, ...list('si_data', 'ciovec'), i32('si_flags', 'siflags'), out('so_datalen', 'size')]),
  fn('sock_shutdown', [fd, i32('how', 'sdflags')]),
];

// ---------------------------------------------------------------------------
// Enums (value = position) and flags (value = 1 << position). Names are the
// witx member names upper-cased.

/** typename $errno: enum, tag u16. */
export const ERRNO = {
  SUCCESS: 0,
  '2BIG': 1,
  ACCES: 2,
  ADDRINUSE: 3,
  ADDRNOTAVAIL: 4,
  AFNOSUPPORT: 5,
  AGAIN: 6,
  ALREADY: 7,
  BADF: 8,
  BADMSG: 9,
  BUSY: 10,
  CANCELED: 11,
  CHILD: 12,
  CONNABORTED: 13,
  CONNREFUSED: 14,
  CONNRESET: 15,
  DEADLK: 16,
  DESTADDRREQ: 17,
  DOM: 18,
  DQUOT: 19,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  HOSTUNREACH: 23,
  IDRM: 24,
  ILSEQ: 25,
  INPROGRESS: 26,
  INTR: 27,
  INVAL: 28,
  IO: 29,
  ISCONN: 30,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  MLINK: 34,
  MSGSIZE: 35,
  MULTIHOP: 36,
  NAMETOOLONG: 37,
  NETDOWN: 38,
  NETRESET: 39,
  NETUNREACH: 40,
  NFILE: 41,
  NOBUFS: 42,
  NODEV: 43,
  NOENT: 44,
  NOEXEC: 45,
  NOLCK: 46,
  NOLINK: 47,
  NOMEM: 48,
  NOMSG: 49,
  NOPROTOOPT: 50,
  NOSPC: 51,
  NOSYS: 52,
  NOTCONN: 53,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTRECOVERABLE: 56,
  NOTSOCK: 57,
  NOTSUP: 58,
  NOTTY: 59,
  NXIO: 60,
  OVERFLOW: 61,
  OWNERDEAD: 62,
  PERM: 63,
  PIPE: 64,
  PROTO: 65,
  PROTONOSUPPORT: 66,
  PROTOTYPE: 67,
  RANGE: 68,
  ROFS: 69,
  SPIPE: 70,
  SRCH: 71,
  STALE: 72,
  TIMEDOUT: 73,
  TXTBSY: 74,
  XDEV: 75,
  NOTCAPABLE: 76,
} as const;

/** typename $rights: flags, repr u64 (bigint so all 64 bits stay exact). */
export const RIGHTS = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_DIRECTORY: 1n << 9n,
  PATH_CREATE_FILE: 1n << 10n,
  PATH_LINK_SOURCE: 1n << 11n,
  PATH_LINK_TARGET: 1n << 12n,
  PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n,
  PATH_READLINK: 1n << 15n,
  PATH_RENAME_SOURCE: 1n << 16n,
  PATH_RENAME_TARGET: 1n << 17n,
  PATH_FILESTAT_GET: 1n << 18n,
  PATH_FILESTAT_SET_SIZE: 1n << 19n,
  PATH_FILESTAT_SET_TIMES: 1n << 20n,
  FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n,
  FD_FILESTAT_SET_TIMES: 1n << 23n,
  PATH_SYMLINK: 1n << 24n,
  PATH_REMOVE_DIRECTORY: 1n << 25n,
  PATH_UNLINK_FILE: 1n << 26n,
  POLL_FD_READWRITE: 1n << 27n,
  SOCK_SHUTDOWN: 1n << 28n,
  SOCK_ACCEPT: 1n << 29n,
} as const;

/** typename $filetype: enum, tag u8. */
export const FILETYPE = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;

/** typename $fdflags: flags, repr u16. */
export const FDFLAGS = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;

/** typename $oflags: flags, repr u16. */
export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;

/** typename $lookupflags: flags, repr u32. */
export const LOOKUPFLAGS = { SYMLINK_FOLLOW: 1 } as const;

/** typename $fstflags: flags, repr u16. */
export const FSTFLAGS = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;

/** typename $whence: enum, tag u8. */
export const WHENCE = { SET: 0, CUR: 1, END: 2 } as const;

/** typename $clockid: enum, tag u32. */
export const CLOCKID = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME_ID: 2, THREAD_CPUTIME_ID: 3 } as const;

/** typename $eventtype: enum, tag u8. */
export const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;

/** typename $eventrwflags: flags, repr u16. */
export const EVENTRWFLAGS = { FD_READWRITE_HANGUP: 1 } as const;

/** typename $subclockflags: flags, repr u16. */
export const SUBCLOCKFLAGS = { SUBSCRIPTION_CLOCK_ABSTIME: 1 } as const;

/** typename $advice: enum, tag u8. */
export const ADVICE = { NORMAL: 0, SEQUENTIAL: 1, RANDOM: 2, WILLNEED: 3, DONTNEED: 4, NOREUSE: 5 } as const;

/** typename $signal: enum, tag u8. */
export const SIGNAL = {
  NONE: 0,
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  CHLD: 16,
  CONT: 17,
  STOP: 18,
  TSTP: 19,
  TTIN: 20,
  TTOU: 21,
  URG: 22,
  XCPU: 23,
  XFSZ: 24,
  VTALRM: 25,
  PROF: 26,
  WINCH: 27,
  POLL: 28,
  PWR: 29,
  SYS: 30,
} as const;

/** typename $riflags: flags, repr u16. */
export const RIFLAGS = { RECV_PEEK: 1, RECV_WAITALL: 2 } as const;

/** typename $roflags: flags, repr u16. */
export const ROFLAGS = { RECV_DATA_TRUNCATED: 1 } as const;

/** typename $sdflags: flags, repr u8. */
export const SDFLAGS = { RD: 1, WR: 2 } as const;

/** typename $preopentype: enum, tag u8. */
export const PREOPENTYPE = { DIR: 0 } as const;

export type IntRepr = 'u8' | 'u16' | 'u32' | 'u64';

export interface ConstantGroup {
  /** witx typename; upper-cased it is the prefix of generated constants. */
  typename: string;
  kind: 'enum' | 'flags';
  repr: IntRepr;
  values: Readonly<Record<string, number | bigint>>;
}

/** The groups above with what the generator needs to know about them. */
export const CONSTANT_GROUPS: readonly ConstantGroup[] = [
  { typename: 'errno', kind: 'enum', repr: 'u16', values: ERRNO },
  { typename: 'rights', kind: 'flags', repr: 'u64', values: RIGHTS },
  { typename: 'filetype', kind: 'enum', repr: 'u8', values: FILETYPE },
  { typename: 'fdflags', kind: 'flags', repr: 'u16', values: FDFLAGS },
  { typename: 'oflags', kind: 'flags', repr: 'u16', values: OFLAGS },
  { typename: 'lookupflags', kind: 'flags', repr: 'u32', values: LOOKUPFLAGS },
  { typename: 'fstflags', kind: 'flags', repr: 'u16', values: FSTFLAGS },
  { typename: 'whence', kind: 'enum', repr: 'u8', values: WHENCE },
  { typename: 'clockid', kind: 'enum', repr: 'u32', values: CLOCKID },
  { typename: 'eventtype', kind: 'enum', repr: 'u8', values: EVENTTYPE },
  { typename: 'eventrwflags', kind: 'flags', repr: 'u16', values: EVENTRWFLAGS },
  { typename: 'subclockflags', kind: 'flags', repr: 'u16', values: SUBCLOCKFLAGS },
  { typename: 'advice', kind: 'enum', repr: 'u8', values: ADVICE },
  { typename: 'signal', kind: 'enum', repr: 'u8', values: SIGNAL },
  { typename: 'riflags', kind: 'flags', repr: 'u16', values: RIFLAGS },
  { typename: 'roflags', kind: 'flags', repr: 'u16', values: ROFLAGS },
  { typename: 'sdflags', kind: 'flags', repr: 'u8', values: SDFLAGS },
  { typename: 'preopentype', kind: 'enum', repr: 'u8', values: PREOPENTYPE },
];

// ---------------------------------------------------------------------------
// Struct layouts (wasm32, C rules: each field at the next multiple of its
// alignment; size rounded up to the largest alignment). A union is a tag
// followed by its payload at the payload's alignment; unions are flattened
// as `tag` + `u` (prestat) or `u_tag` + `u_u` inside a record (subscription),
// matching the member names of the usual C headers.

export interface FieldInfo {
  type: string;
  size: number;
}

export interface StructLayout<K extends string = string> {
  size: number;
  align: number;
  fields: Readonly<Record<K, number>>;
  fieldTypes: Readonly<Record<K, FieldInfo>>;
}

type FieldSpec = readonly [name: string, offset: number, type: string, size: number];

function struct<const F extends readonly FieldSpec[]>(
  size: number,
  align: number,
  specs: F,
): StructLayout<F[number][0]> {
  const fields: Record<string, number> = {};
  const fieldTypes: Record<string, FieldInfo> = {};
  for (const [name, offset, type, fsize] of specs) {
    fields[name] = offset;
    fieldTypes[name] = { type, size: fsize };
  }
  return { size, align, fields, fieldTypes } as StructLayout<F[number][0]>;
}

export const STRUCTS = {
  iovec: struct(8, 4, [
    ['buf', 0, 'pointer<u8>', 4],
    ['buf_len', 4, 'size', 4],
  ]),
  ciovec: struct(8, 4, [
    ['buf', 0, 'const_pointer<u8>', 4],
    ['buf_len', 4, 'size', 4],
  ]),
  dirent: struct(24, 8, [
    ['d_next', 0, 'dircookie', 8],
    ['d_ino', 8, 'inode', 8],
    ['d_namlen', 16, 'dirnamlen', 4],
    ['d_type', 20, 'filetype', 1],
  ]),
  fdstat: struct(24, 8, [
    ['fs_filetype', 0, 'filetype', 1],
    ['fs_flags', 2, 'fdflags', 2],
    ['fs_rights_base', 8, 'rights', 8],
    ['fs_rights_inheriting', 16, 'rights', 8],
  ]),
  filestat: struct(64, 8, [
    ['dev', 0, 'device', 8],
    ['ino', 8, 'inode', 8],
    ['filetype', 16, 'filetype', 1],
    ['nlink', 24, 'linkcount', 8],
    ['size', 32, 'filesize', 8],
    ['atim', 40, 'timestamp', 8],
    ['mtim', 48, 'timestamp', 8],
    ['ctim', 56, 'timestamp', 8],
  ]),
  event_fd_readwrite: struct(16, 8, [
    ['nbytes', 0, 'filesize', 8],
    ['flags', 8, 'eventrwflags', 2],
  ]),
  event: struct(32, 8, [
    ['userdata', 0, 'userdata', 8],
    ['error', 8, 'errno', 2],
    ['type', 10, 'eventtype', 1],
    ['fd_readwrite', 16, 'event_fd_readwrite', 16],
  ]),
  subscription_clock: struct(32, 8, [
    ['id', 0, 'clockid', 4],
    ['timeout', 8, 'timestamp', 8],
    ['precision', 16, 'timestamp', 8],
    ['flags', 24, 'subclockflags', 2],
  ]),
  subscription_fd_readwrite: struct(4, 4, [['file_descriptor', 0, 'fd', 4]]),
  subscription: struct(48, 8, [
    ['userdata', 0, 'userdata', 8],
    ['u', 8, 'subscription_u', 40],
    ['u_tag', 8, 'eventtype', 1],
    ['u_u', 16, 'subscription_clock | subscription_fd_readwrite', 32],
  ]),
  prestat_dir: struct(4, 4, [['pr_name_len', 0, 'size', 4]]),
  prestat: struct(8, 4, [
    ['tag', 0, 'preopentype', 1],
    ['u', 4, 'prestat_dir', 4],
  ]),
} as const;

export type StructName = keyof typeof STRUCTS;

// ---------------------------------------------------------------------------
// box:app — what a capability module imports to reach the memory of the
// application it serves. The capability has its own memory, so every
// pointer says which side it lives on.

export interface BoxAppParam {
  name: string;
  wasm: WasmType;
  /** Which memory a pointer param addresses; absent for plain values. */
  memory?: 'local' | 'app';
}

export interface BoxAppFunction {
  name: string;
  params: BoxAppParam[];
  results: WasmType[];
}

export const BOX_APP_MODULE = 'box:app';

export const BOX_APP: readonly BoxAppFunction[] = [
  // Size in bytes (not pages), so callers bounds-check without a multiply.
  { name: 'size', params: [], results: ['i64'] },
  {
    name: 'copy_in',
    params: [
      { name: 'dst', wasm: 'i32', memory: 'local' },
      { name: 'src', wasm: 'i32', memory: 'app' },
      { name: 'len', wasm: 'i32' },
    ],
    results: [],
  },
  {
    name: 'copy_out',
    params: [
      { name: 'dst', wasm: 'i32', memory: 'app' },
      { name: 'src', wasm: 'i32', memory: 'local' },
      { name: 'len', wasm: 'i32' },
    ],
    results: [],
  },
  { name: 'load_u8', params: [{ name: 'ptr', wasm: 'i32', memory: 'app' }], results: ['i32'] },
  {
    name: 'store_u8',
    params: [
      { name: 'ptr', wasm: 'i32', memory: 'app' },
      { name: 'v', wasm: 'i32' },
    ],
    results: [],
  },
  { name: 'load_u32', params: [{ name: 'ptr', wasm: 'i32', memory: 'app' }], results: ['i32'] },
  {
    name: 'store_u32',
    params: [
      { name: 'ptr', wasm: 'i32', memory: 'app' },
      { name: 'v', wasm: 'i32' },
    ],
    results: [],
  },
  { name: 'load_u64', params: [{ name: 'ptr', wasm: 'i32', memory: 'app' }], results: ['i64'] },
  {
    name: 'store_u64',
    params: [
      { name: 'ptr', wasm: 'i32', memory: 'app' },
      { name: 'v', wasm: 'i64' },
    ],
    results: [],
  },
];

export const WASI_MODULE = 'wasi_snapshot_preview1';
