// A host file's metadata as preview1 records: its filetype and the 64-byte
// filestat (dev, ino, filetype, nlink, size, atim, mtim, ctim).

import type { BigIntStats } from 'node:fs';
import {
  FILESTAT_ATIM_OFFSET, FILESTAT_CTIM_OFFSET, FILESTAT_DEV_OFFSET, FILESTAT_FILETYPE_OFFSET, FILESTAT_INO_OFFSET,
  FILESTAT_MTIM_OFFSET, FILESTAT_NLINK_OFFSET, FILESTAT_SIZE, FILESTAT_SIZE_OFFSET, FILETYPE_BLOCK_DEVICE,
  FILETYPE_CHARACTER_DEVICE, FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SOCKET_STREAM, FILETYPE_SYMBOLIC_LINK,
  FILETYPE_UNKNOWN,
} from '@marcotte/abi';
import type { GuestMemory } from './guest-memory.ts';

/** What lstat/fstat reports, as preview1 names it (a FIFO has no name there: unknown, as wasmtime). */
export function filetypeOf(s: { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean; isSocket(): boolean }): number {
  if (s.isDirectory()) return FILETYPE_DIRECTORY;
  if (s.isFile()) return FILETYPE_REGULAR_FILE;
  if (s.isSymbolicLink()) return FILETYPE_SYMBOLIC_LINK;
  if (s.isBlockDevice()) return FILETYPE_BLOCK_DEVICE;
  if (s.isCharacterDevice()) return FILETYPE_CHARACTER_DEVICE;
  if (s.isSocket()) return FILETYPE_SOCKET_STREAM;
  return FILETYPE_UNKNOWN;
}

export function writeFilestat(mem: GuestMemory, ptr: number, s: BigIntStats): void {
  const out = new DataView(new ArrayBuffer(FILESTAT_SIZE));
  out.setBigUint64(FILESTAT_DEV_OFFSET, s.dev, true);
  out.setBigUint64(FILESTAT_INO_OFFSET, s.ino, true);
  out.setUint8(FILESTAT_FILETYPE_OFFSET, filetypeOf(s));
  out.setBigUint64(FILESTAT_NLINK_OFFSET, s.nlink, true);
  out.setBigUint64(FILESTAT_SIZE_OFFSET, s.size, true);
  out.setBigUint64(FILESTAT_ATIM_OFFSET, BigInt.asUintN(64, s.atimeNs), true);
  out.setBigUint64(FILESTAT_MTIM_OFFSET, BigInt.asUintN(64, s.mtimeNs), true);
  out.setBigUint64(FILESTAT_CTIM_OFFSET, BigInt.asUintN(64, s.ctimeNs), true);
  mem.bytes(ptr, FILESTAT_SIZE).set(new Uint8Array(out.buffer));
}
