// The vfs image: what the vfs bakes into its box:config segments, and one
// way to build one from a tar archive (image-dir.ts reads a host directory).
// Portable: nothing here needs Node.
//
// Segment 0, the index (little-endian; README.md has the full layout):
//   header (64 bytes): magic "MVFS", version 2, entry count, offset of the
//     string area, quota (u64), build time (u64 ns), workdir (offset, length),
//     limits: max file size (u64), max path length, max handles, max pages,
//     max metadata (u32)
//   entries (40 bytes each), breadth first, entry 0 the root; a directory's
//     children are contiguous and sorted by name bytes:
//     type u8, pad u8, mode u16, name (offset, length),
//     directory: first child, child count / symlink: target (offset, length) /
//     file: hard link (1 + first entry of the same file, 0 when alone), name count,
//     file: offset in segment 1 (u32), size (u64), mtime (u64 ns)
//   strings: names, symlink targets and the workdir, as bytes
// Segment 1: every file's bytes, concatenated. File entries that share one
// data object are hard links of one file: stored once, one inode in the vfs.

import { concat, type ImageEntry } from '@marcotte/abi';
import { E, H, IMAGE_ENTRY_SIZE, IMAGE_HEADER_SIZE, IMAGE_MAGIC, IMAGE_VERSION } from './image-format.ts';
import { cleanPath } from './image-path.ts';

export { IMAGE_ENTRY_SIZE, IMAGE_HEADER_SIZE, IMAGE_MAGIC, IMAGE_VERSION };
import { FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SYMBOLIC_LINK } from '@marcotte/abi';

/** The data segments an image is: its index, then its file bytes (what encodeImage returns and a snapshot holds). */
export const IMAGE_SEGMENTS = 2;
/** Bytes the writable layer may add beyond the image's own file bytes. */
export const DEFAULT_QUOTA = 256 * 1024 * 1024;
/** Largest single file (EFBIG beyond); the vfs cannot hold more than 2 GiB in one file. */
export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024 * 1024;
export const MAX_FILE_SIZE_LIMIT = 2 * 1024 * 1024 * 1024;
/** Linux's PATH_MAX, NUL included: a path of this many bytes or more answers ENAMETOOLONG. */
export const DEFAULT_MAX_PATH = 4096;
/** Open vfs handles (EMFILE beyond); the kernel's fd table holds 1024 fds. */
export const DEFAULT_MAX_HANDLES = 1024;
/** 0: the vfs memory may grow as far as the engine allows (4 GiB). */
export const DEFAULT_MAX_PAGES = 0;
/**
 * Bytes of metadata (names, inodes, symlink targets; vfs README "Limits")
 * the writable layer may add beyond the image: without it, empty files and
 * symlinks would hold host memory no quota counts.
 */
export const DEFAULT_MAX_META = 64 * 1024 * 1024;
/** Smallest max pages: the vfs keeps about 1 MiB for its own metadata headroom. */
export const MIN_MAX_PAGES = 32;
/** Linux's NAME_MAX: longer names cannot be created in the vfs either. */
const NAME_MAX = 255;

export interface ImageOptions {
  /** bytes the program may write beyond the image's own (default 256 MiB) */
  quota?: number;
  /** the working directory, absolute (default "/"); created with its parents when missing */
  workdir?: string;
  /** ns since the epoch: timestamps of implied directories, and of new files when no clock is linked (default: the newest mtime in the image, else 0) */
  buildTime?: bigint;
  /** largest single file in bytes, EFBIG beyond (default 1 GiB, at most 2 GiB) */
  maxFileSize?: number;
  /** longest path argument in bytes, ENAMETOOLONG from this length on (default 4096) */
  maxPath?: number;
  /** open vfs handles, EMFILE beyond (default 1024) */
  maxHandles?: number;
  /** 64 KiB pages the vfs memory may reach; 0 for no limit of its own (default 0, at least 32 otherwise) */
  maxPages?: number;
  /** bytes of metadata (names, inodes, symlink targets) the program may add, ENOSPC beyond (default 64 MiB, 4 KiB to 4 GiB - 1) */
  maxMeta?: number;
}

function checkLimit(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}: ${value}`);
  return value;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Throws unless `path` is absolute and normalized ("/", "/a/b"; no "//", ".",
 * ".." or trailing "/") and shorter than `maxPath` bytes: the vfs keeps every
 * node's path that short (directory.ts), and so the cost of handling an image
 * entry by entry, by path, stays linear in its size.
 */
function checkPath(path: string, what: string, maxPath: number): void {
  // UTF-8 takes at least a byte per UTF-16 unit: the cheap check first, for a path of any length.
  if (path.length >= maxPath || encoder.encode(path).length >= maxPath) {
    const shown = path.length > 80 ? `${path.slice(0, 80)}...` : path;
    throw new Error(`${what} is ${encoder.encode(path).length} bytes, longer than the image's max path (${maxPath}): ${shown}`);
  }
  if (path === '/') return;
  if (!path.startsWith('/') || path.endsWith('/')) throw new Error(`${what} must be absolute and normalized: ${JSON.stringify(path)}`);
  if (path.includes('\0')) throw new Error(`${what} contains NUL: ${JSON.stringify(path)}`);
  for (const part of path.slice(1).split('/')) {
    if (part === '' || part === '.' || part === '..') throw new Error(`${what} must be absolute and normalized: ${JSON.stringify(path)}`);
    if (encoder.encode(part).length > NAME_MAX) throw new Error(`${what} has a name longer than ${NAME_MAX} bytes: ${JSON.stringify(path)}`);
  }
}

const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';
const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Byte-wise order of names: the order of a directory's children in the image. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

interface Node {
  entry: ImageEntry;
  name: Uint8Array;
  children: Node[];
}

/** Encodes entries into the vfs's two box:config segments: [index, file bytes]. */
export function encodeImage(entries: readonly ImageEntry[], options: ImageOptions = {}): Uint8Array[] {
  const quota = options.quota ?? DEFAULT_QUOTA;
  if (!Number.isSafeInteger(quota) || quota < 0) throw new Error(`quota must be a non-negative integer: ${quota}`);
  const maxFileSize = checkLimit('maxFileSize', options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, 0, MAX_FILE_SIZE_LIMIT);
  const maxPath = checkLimit('maxPath', options.maxPath ?? DEFAULT_MAX_PATH, 1, 1 << 20);
  const maxHandles = checkLimit('maxHandles', options.maxHandles ?? DEFAULT_MAX_HANDLES, 1, 0x7fff_ffff);
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  if (maxPages !== 0) checkLimit('maxPages', maxPages, MIN_MAX_PAGES, 65536);
  const maxMeta = checkLimit('maxMeta', options.maxMeta ?? DEFAULT_MAX_META, 4096, 0xffff_ffff);
  let buildTime = options.buildTime;
  if (buildTime === undefined) buildTime = entries.reduce((t, e) => (e.mtime !== undefined && e.mtime > t ? e.mtime : t), 0n);
  const nodes = new Map<string, Node>();
  for (const entry of entries) {
    checkPath(entry.path, 'image path', maxPath);
    if (nodes.has(entry.path)) throw new Error(`image path appears twice: ${entry.path}`);
    if (entry.type === 'symlink' && !entry.target) throw new Error(`symlink without a target: ${entry.path}`);
    if (entry.type === 'symlink' && entry.target!.includes('\0')) throw new Error(`symlink target contains NUL: ${entry.path}`);
    if (entry.type !== 'file' && entry.type !== 'dir' && entry.type !== 'symlink') {
      throw new Error(`unknown image entry type ${JSON.stringify(entry.type)}: ${entry.path}`);
    }
    if (entry.path === '/' && entry.type !== 'dir') throw new Error('the image root must be a directory');
    nodes.set(entry.path, { entry, name: encoder.encode(baseOf(entry.path)), children: [] });
  }
  const implied = (path: string): Node => {
    const node = { entry: { path, type: 'dir', mode: 0o755, mtime: buildTime } as ImageEntry, name: encoder.encode(baseOf(path)), children: [] };
    nodes.set(path, node);
    return node;
  };
  const workdir = options.workdir ?? '/';
  checkPath(workdir, 'workdir', maxPath);
  // The workdir exists in a box (as docker's WORKDIR), unless a symlink on its way decides where it is.
  for (let p = workdir; ; p = parentOf(p)) {
    const node = nodes.get(p);
    if (node?.entry.type === 'symlink') break;
    if (node && node.entry.type !== 'dir') throw new Error(`workdir ${workdir}: ${p} is not a directory`);
    if (!node) implied(p);
    if (p === '/') break;
  }
  if (!nodes.has('/')) implied('/');
  for (const path of [...nodes.keys()]) {
    for (let p = path; p !== '/'; ) {
      const parent = parentOf(p);
      const node = nodes.get(parent);
      if (node && node.entry.type !== 'dir') throw new Error(`image path ${path}: parent ${parent} is not a directory`);
      if (node) break;
      implied(parent);
      p = parent;
    }
  }
  for (const [path, node] of nodes) if (path !== '/') nodes.get(parentOf(path))!.children.push(node);

  // Breadth first, so that each directory's children are contiguous.
  const order: Node[] = [nodes.get('/')!];
  for (let i = 0; i < order.length; i++) {
    const children = order[i]!.children.sort((a, b) => compareBytes(a.name, b.name));
    order.push(...children);
  }
  const firstChild = new Map<Node, number>();
  for (let i = 0, next = 1; i < order.length; i++) {
    firstChild.set(order[i]!, next);
    next += order[i]!.children.length;
  }
  // Hard links: file entries sharing a data object; the first in order leads.
  const links = new Map<Uint8Array, { first: number; count: number }>();
  order.forEach(({ entry }, i) => {
    if (entry.type !== 'file' || !entry.data) return;
    const link = links.get(entry.data);
    if (link) link.count++;
    else links.set(entry.data, { first: i, count: 1 });
  });

  const strings: Uint8Array[] = [];
  let stringsSize = 0;
  const addString = (bytes: Uint8Array): [number, number] => {
    strings.push(bytes);
    stringsSize += bytes.length;
    return [stringsSize - bytes.length, bytes.length];
  };
  const blobs: Uint8Array[] = [];
  const blobAt = new Map<Uint8Array, number>();
  let dataSize = 0;

  const stringsOffset = IMAGE_HEADER_SIZE + order.length * IMAGE_ENTRY_SIZE;
  const table = new Uint8Array(stringsOffset);
  const view = new DataView(table.buffer);
  order.forEach((node, i) => {
    const at = IMAGE_HEADER_SIZE + i * IMAGE_ENTRY_SIZE;
    const { entry } = node;
    const [nameOff, nameLen] = addString(node.name);
    view.setUint16(at + E.MODE, (entry.mode ?? (entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644)) & 0xffff, true);
    view.setUint32(at + E.NAME_OFF, nameOff, true);
    view.setUint32(at + E.NAME_LEN, nameLen, true);
    view.setBigUint64(at + E.MTIME, entry.mtime ?? buildTime, true);
    if (entry.type === 'dir') {
      view.setUint8(at + E.TYPE, FILETYPE_DIRECTORY);
      view.setUint32(at + E.A, firstChild.get(node)!, true);
      view.setUint32(at + E.B, node.children.length, true);
    } else if (entry.type === 'symlink') {
      view.setUint8(at + E.TYPE, FILETYPE_SYMBOLIC_LINK);
      const [off, len] = addString(encoder.encode(entry.target!));
      view.setUint32(at + E.A, off, true);
      view.setUint32(at + E.B, len, true);
    } else {
      view.setUint8(at + E.TYPE, FILETYPE_REGULAR_FILE);
      const data = entry.data ?? new Uint8Array(0);
      const link = links.get(data);
      if (link && link.count > 1) {
        view.setUint32(at + E.A, link.first + 1, true);
        view.setUint32(at + E.B, link.count, true);
      }
      let off = blobAt.get(data);
      if (off === undefined) {
        off = dataSize;
        blobAt.set(data, off);
        blobs.push(data);
        dataSize += data.length;
        if (dataSize > 0xffff_ffff) throw new Error('image file bytes exceed 4 GiB');
      }
      view.setUint32(at + E.DATA_OFF, off, true);
      view.setBigUint64(at + E.SIZE, BigInt(data.length), true);
    }
  });
  const [workdirOff, workdirLen] = addString(encoder.encode(workdir));
  view.setUint32(H.MAGIC, IMAGE_MAGIC, true);
  view.setUint32(H.VERSION, IMAGE_VERSION, true);
  view.setUint32(H.COUNT, order.length, true);
  view.setUint32(H.STRINGS, stringsOffset, true);
  view.setBigUint64(H.QUOTA, BigInt(quota), true);
  view.setBigUint64(H.BUILD_TIME, buildTime, true);
  view.setUint32(H.WORKDIR_OFF, workdirOff, true);
  view.setUint32(H.WORKDIR_LEN, workdirLen, true);
  view.setBigUint64(H.MAX_FILE_SIZE, BigInt(maxFileSize), true);
  view.setUint32(H.MAX_PATH, maxPath, true);
  view.setUint32(H.MAX_HANDLES, maxHandles, true);
  view.setUint32(H.MAX_PAGES, maxPages, true);
  view.setUint32(H.MAX_META, maxMeta, true);
  return [concat([table, ...strings]), concat(blobs)];
}

/** The options an image was encoded with (so that encodeImage(decodeImage(s), imageOptions(s)) gives s back). */
export function imageOptions(segments: readonly Uint8Array[]): Required<ImageOptions> {
  const index = segments[0]!;
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  checkHeader(view);
  const strings = view.getUint32(H.STRINGS, true);
  const workdir = decoder.decode(index.subarray(strings + view.getUint32(H.WORKDIR_OFF, true), strings + view.getUint32(H.WORKDIR_OFF, true) + view.getUint32(H.WORKDIR_LEN, true)));
  return {
    quota: Number(view.getBigUint64(H.QUOTA, true)),
    buildTime: view.getBigUint64(H.BUILD_TIME, true),
    workdir: workdir || '/',
    maxFileSize: Number(view.getBigUint64(H.MAX_FILE_SIZE, true)),
    maxPath: view.getUint32(H.MAX_PATH, true),
    maxHandles: view.getUint32(H.MAX_HANDLES, true),
    maxPages: view.getUint32(H.MAX_PAGES, true),
    // 0: an image from before the field, which the vfs reads as the default
    maxMeta: view.getUint32(H.MAX_META, true) || DEFAULT_MAX_META,
  };
}

function checkHeader(view: DataView): void {
  if (view.byteLength < IMAGE_HEADER_SIZE || view.getUint32(H.MAGIC, true) !== IMAGE_MAGIC) throw new Error('not a vfs image: bad magic');
  if (view.getUint32(H.VERSION, true) !== IMAGE_VERSION) throw new Error(`vfs image version ${view.getUint32(H.VERSION, true)} is not ${IMAGE_VERSION}`);
  const count = view.getUint32(H.COUNT, true);
  const strings = view.getUint32(H.STRINGS, true);
  if (count === 0 || strings !== IMAGE_HEADER_SIZE + count * IMAGE_ENTRY_SIZE || strings > view.byteLength) throw new Error('vfs image index is malformed');
}

/**
 * Decodes image segments back into entries (every node, implied directories
 * included, parents before children). Hard links come back as entries
 * sharing one data object, as encodeImage expects them.
 */
export function decodeImage(segments: readonly Uint8Array[]): ImageEntry[] {
  const [index, bytes = new Uint8Array(0)] = segments;
  if (!index) throw new Error('vfs image has no index segment');
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  checkHeader(view);
  const count = view.getUint32(H.COUNT, true);
  const strings = view.getUint32(H.STRINGS, true);
  const string = (off: number, len: number): Uint8Array => {
    if (strings + off + len > index.length) throw new Error('vfs image string out of range');
    return index.subarray(strings + off, strings + off + len);
  };
  const paths: string[] = new Array<string>(count);
  paths[0] = '/';
  // Path bytes per entry ("/" counts 0: a prefix), bounded as the vfs bounds them: a forged or old
  // image nested deeper is refused here, before anything handles its paths one by one.
  const maxPath = view.getUint32(H.MAX_PATH, true) || DEFAULT_MAX_PATH;
  const pathBytes = new Uint32Array(count);
  const out: ImageEntry[] = [];
  const shared = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const at = IMAGE_HEADER_SIZE + i * IMAGE_ENTRY_SIZE;
    const path = paths[i];
    if (path === undefined) throw new Error(`vfs image entry ${i} has no parent`);
    const type = view.getUint8(at + E.TYPE);
    const mode = view.getUint16(at + E.MODE, true);
    const mtime = view.getBigUint64(at + E.MTIME, true);
    const a = view.getUint32(at + E.A, true);
    const b = view.getUint32(at + E.B, true);
    if (type === FILETYPE_DIRECTORY) {
      if (a + b > count || (b > 0 && a <= i)) throw new Error(`vfs image entry ${i}: children out of range`);
      for (let c = a; c < a + b; c++) {
        const cat = IMAGE_HEADER_SIZE + c * IMAGE_ENTRY_SIZE;
        const name = decoder.decode(string(view.getUint32(cat + E.NAME_OFF, true), view.getUint32(cat + E.NAME_LEN, true)));
        // A crafted snapshot must not name a path outside the tree it describes.
        if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
          throw new Error(`vfs image entry ${c} has a bad name: ${JSON.stringify(name)}`);
        }
        const bytes = pathBytes[i]! + 1 + view.getUint32(cat + E.NAME_LEN, true);
        if (bytes >= maxPath) throw new Error(`vfs image entry ${c}: its path is longer than the image's max path (${maxPath} bytes)`);
        pathBytes[c] = bytes;
        paths[c] = path === '/' ? `/${name}` : `${path}/${name}`;
      }
      out.push({ path, type: 'dir', mode, mtime });
    } else if (type === FILETYPE_SYMBOLIC_LINK) {
      out.push({ path, type: 'symlink', target: decoder.decode(string(a, b)), mode, mtime });
    } else if (type === FILETYPE_REGULAR_FILE) {
      let data = a > 0 ? shared.get(a) : undefined;
      if (!data) {
        const off = view.getUint32(at + E.DATA_OFF, true);
        const size = Number(view.getBigUint64(at + E.SIZE, true));
        if (off + size > bytes.length) throw new Error(`vfs image entry ${i}: file bytes out of range`);
        data = bytes.slice(off, off + size);
        if (a > 0) shared.set(a, data);
      }
      out.push({ path, type: 'file', data, mode, mtime });
    } else {
      throw new Error(`vfs image entry ${i} has unknown type ${type}`);
    }
  }
  return out;
}


/** A tar header's text field: its bytes up to the first NUL. */
export function tarString(block: Uint8Array, at: number, len: number): string {
  const field = block.subarray(at, at + len);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

/** A tar header's number field: octal text, or GNU base-256. */
export function tarNumber(block: Uint8Array, at: number, len: number): number {
  // GNU base-256 for values that do not fit the octal field.
  if (block[at]! & 0x80) {
    let n = block[at]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + block[at + i]!;
    return n;
  }
  const text = tarString(block, at, len).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** "./a/b/" -> "/a/b"; throws on ".." (an archive must not reach outside its root). */
function tarPath(name: string): string {
  try {
    return cleanPath(name, 'refuse');
  } catch {
    throw new Error(`tar entry escapes the archive root: ${JSON.stringify(name)}`);
  }
}

function paxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = parseInt(decoder.decode(data.subarray(at, space)), 10);
    if (!(len > 0)) throw new Error('malformed pax header');
    const record = decoder.decode(data.subarray(space + 1, at + len - 1));
    const eq = record.indexOf('=');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

/** One member of a tar archive, after its pax and GNU long-name headers: the name and link as written. */
export interface TarMember {
  /** the type flag: "0" file, "5" directory, "2" symlink, "1" hard link … */
  type: string;
  name: string;
  link: string;
  mode: number;
  /** ns since the epoch */
  mtime: bigint;
  data: Uint8Array;
}

/** The members of a tar archive (ustar, pax and GNU long names), checksums and sizes checked. */
export function* tarMembers(bytes: Uint8Array): Generator<TarMember> {
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (let at = 0; at + 512 <= bytes.length; ) {
    const block = bytes.subarray(at, at + 512);
    if (block.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
    if (sum !== tarNumber(block, 148, 8)) throw new Error(`tar header checksum mismatch at byte ${at}`);
    const type = String.fromCharCode(block[156]!);
    const size = pax.has('size') ? Number(pax.get('size')) : tarNumber(block, 124, 12);
    const data = bytes.subarray(at + 512, at + 512 + size);
    if (data.length !== size) throw new Error(`tar archive is truncated at byte ${at}`);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (type === 'g') continue; // global pax headers carry nothing an image records
    if (type === 'L' || type === 'K') {
      const text = tarString(data, 0, data.length);
      if (type === 'L') longName = text;
      else longLink = text;
      continue;
    }
    const prefix = tarString(block, 345, 155);
    const ustarName = tarString(block, 257, 5) === 'ustar' && prefix ? `${prefix}/${tarString(block, 0, 100)}` : tarString(block, 0, 100);
    const name = pax.get('path') ?? longName ?? ustarName;
    const link = pax.get('linkpath') ?? longLink ?? tarString(block, 157, 100);
    const mode = tarNumber(block, 100, 8) & 0o7777;
    const mtime = pax.has('mtime')
      ? BigInt(Math.round(Number(pax.get('mtime')) * 1e6)) * 1000n
      : BigInt(tarNumber(block, 136, 12)) * 1_000_000_000n;
    pax = new Map();
    longName = longLink = undefined;
    yield { type, name, link, mode, mtime, data };
  }
}

/** Reads a tar archive as image entries; hard links become copies sharing bytes. */
export function imageFromTar(bytes: Uint8Array): ImageEntry[] {
  const byPath = new Map<string, ImageEntry>();
  for (const { type, name, link, mode, mtime, data } of tarMembers(bytes)) {
    const path = tarPath(name);
    if (type === '0' || type === '\0' || type === '7') {
      byPath.set(path, { path, type: 'file', data: new Uint8Array(data), mode, mtime });
    } else if (type === '5') {
      byPath.set(path, { path, type: 'dir', mode, mtime });
    } else if (type === '2') {
      byPath.set(path, { path, type: 'symlink', target: link, mode, mtime });
    } else if (type === '1') {
      const target = byPath.get(tarPath(link));
      if (target?.type !== 'file') throw new Error(`tar hard link ${path} -> ${link}: target is not an earlier regular file`);
      byPath.set(path, { path, type: 'file', data: target.data!, mode, mtime });
    } else {
      throw new Error(`tar entry ${path} has type ${JSON.stringify(type)}: only files, directories, symlinks and hard links fit an image`);
    }
  }
  return [...byPath.values()].sort((a, b) => compareBytes(encoder.encode(a.path), encoder.encode(b.path)));
}
