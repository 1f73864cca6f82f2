// snapshot(): the current tree as a new image, in exactly the format
// encodeImage (src/image.ts) writes, so that a committed run can be linked
// again as it is: u32 segment count (2), then per segment u32 length and the
// bytes. The runtime reads it from this module's memory (box.vfs.snapshot).
//
// Directories the program never looked into have no inodes yet: their
// subtrees are written straight from the image index, and image files that
// were never read are copied from box:config segment 1 into the snapshot
// buffer without passing through the file store. Hard links (an inode with
// several names, or an image file whose names are not read yet) keep one
// copy of their bytes and the link fields, as encodeImage writes them for
// entries sharing a data object.

import { FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SYMBOLIC_LINK } from "../../abi/assembly/constants";
import { config_copy } from "./config";
import { Inode, inode_live } from "./inode";
import { dir_count, dir_inode_at, dir_live_at, dir_name_at, dir_name_len_at } from "./directory";
import { bytes_to_string } from "./strings";
import { fmem_alloc, fmem_free } from "./fmem";
import {
  ENTRY_SIZE, E_A, E_B, E_DATA_OFF, E_MODE, E_MTIME, E_NAME_LEN, E_NAME_OFF, E_SIZE, E_TYPE, HEADER_SIZE,
  entry, image_build_time, image_count, image_group_inode, image_quota, image_strings, image_workdir,
} from "./image";
import { max_file_size, max_handles, max_meta, max_pages, max_path, mem_guard } from "./limits";
import { resolve_root } from "./resolve";
import { string_to_bytes } from "./strings";
import { heapsort } from "./heapsort";
import { Table } from "./table";

const MAGIC: u32 = 0x5346564d;
const VERSION: u32 = 2;
/** Bytes of bookkeeping per node while a snapshot is built (array slots, map entries). */
const NODE_COST: u64 = 96;

// The previous snapshot's buffer: freed (and so reused) by the next call.
let lastPtr: usize = 0;
let lastSize: u64 = 0;

// Nodes in breadth-first order, as parallel arrays: the inode, or null and
// the image entry of a node that has none; where the name comes from. Set
// only while a snapshot is built (a top-level allocation would run at
// instantiation, DESIGN.md §6).
let inodes: Array<Inode | null> = changetype<Array<Inode | null>>(0);
let imgs: Array<i32> = changetype<Array<i32>>(0);
let names: Array<string> = changetype<Array<string>>(0);
let nameImgs: Array<i32> = changetype<Array<i32>>(0);
let firsts: Array<u32> = changetype<Array<u32>>(0);
let counts: Array<u32> = changetype<Array<u32>>(0);

function reset(): void {
  inodes = [];
  imgs = [];
  names = [];
  nameImgs = [];
  firsts = [];
  counts = [];
}

function push(inode: Inode | null, img: i32, name: string, nameImg: i32): void {
  inodes.push(inode);
  imgs.push(img);
  names.push(name);
  nameImgs.push(nameImg);
  firsts.push(0);
  counts.push(0);
}

/** The directory whose entries compare_names orders. */
let sortDir: Inode | null = null;

function name_before(a: i32, b: i32): bool {
  const d = sortDir!;
  const la = <usize>dir_name_len_at(d, a);
  const lb = <usize>dir_name_len_at(d, b);
  const pa = dir_name_at(d, a);
  const pb = dir_name_at(d, b);
  // A byte loop: the snapshot is not hot, and memory.compare inlines to ~400 bytes.
  for (let i: usize = 0; i < min(la, lb); i++) {
    const x = load<u8>(pa + i);
    const y = load<u8>(pb + i);
    if (x != y) return x < y;
  }
  return la < lb;
}

/** Pushes the children of image directory entry `i` (already sorted in the image). */
function push_image_children(i: u32): void {
  const e = entry(i);
  const first = load<u32>(e + E_A);
  const n = load<u32>(e + E_B);
  if (<u64>first + n > image_count) return;
  for (let c = first; c < first + n; c++) {
    // A hard-linked file another name already made an inode for: that inode is the truth.
    const linked = image_group_inode(c);
    push(linked, linked != null ? -1 : <i32>c, "", <i32>c);
  }
}

function type_of(k: i32): u8 {
  const inode = unchecked(inodes[k]);
  return inode != null ? inode.filetype : load<u8>(entry(<u32>unchecked(imgs[k])) + E_TYPE);
}

function name_len(k: i32): u32 {
  const ni = unchecked(nameImgs[k]);
  return ni >= 0 ? load<u32>(entry(<u32>ni) + E_NAME_LEN) : <u32>unchecked(names[k]).length;
}

function target_len(k: i32): u32 {
  const inode = unchecked(inodes[k]);
  return inode != null ? <u32>inode.size : load<u32>(entry(<u32>unchecked(imgs[k])) + E_B);
}

function data_size(k: i32): u64 {
  const inode = unchecked(inodes[k]);
  return inode != null ? inode.size : load<u64>(entry(<u32>unchecked(imgs[k])) + E_SIZE);
}

/** Identity of a file for hard links: its inode, or its image link leader (never 0 for a linked file). */
function file_key(k: i32): u64 {
  const inode = unchecked(inodes[k]);
  if (inode != null) return <u64>changetype<usize>(inode);
  const lead = load<u32>(entry(<u32>unchecked(imgs[k])) + E_A);
  return lead == 0 ? 0 : (<u64>1 << 32) | <u64>lead;
}

/** Copies file k's bytes to dst, from the file store or straight from the image. */
function copy_data(k: i32, dst: usize, size: u64): void {
  if (size == 0) return;
  const inode = unchecked(inodes[k]);
  if (inode != null && inode.image < 0) {
    memory.copy(dst, inode.data, <usize>size);
    return;
  }
  const img = inode != null ? <u32>inode.image : <u32>unchecked(imgs[k]);
  config_copy(1, dst, load<u32>(entry(img) + E_DATA_OFF), <u32>size);
}

function collect_nodes(): void {
  reset();
  push(resolve_root(), -1, "", -1);
  for (let k = 0; k < inodes.length; k++) {
    if (type_of(k) != FILETYPE_DIRECTORY) continue;
    const first = <u32>inodes.length;
    const inode = unchecked(inodes[k]);
    if (inode == null) push_image_children(<u32>unchecked(imgs[k]));
    else if (inode.image >= 0) push_image_children(<u32>inode.image);
    else {
      const places = dir_count(inode);
      const sorted = new Array<i32>();
      for (let c = 0; c < places; c++) if (dir_live_at(inode, c)) sorted.push(c);
      const n = sorted.length;
      sortDir = inode;
      heapsort(sorted, name_before);
      sortDir = null;
      for (let c = 0; c < n; c++) {
        const e = unchecked(sorted[c]);
        push(dir_inode_at(inode, e), -1, bytes_to_string(dir_name_at(inode, e), dir_name_len_at(inode, e)), -1);
      }
    }
    firsts[k] = first;
    counts[k] = <u32>inodes.length - first;
  }
}

/**
 * Serializes the current tree; returns (length << 32) | pointer into this
 * module's memory, or 0 when memory is too short (nothing traps).
 */
export function snapshot(): u64 {
  if (lastPtr != 0) {
    fmem_free(lastPtr, lastSize);
    lastPtr = 0;
    lastSize = 0;
  }
  // What is in memory now, not every inode number ever handed out: a tree that once held many
  // files and holds few again must still be snapshotted within a fixed memory.
  if (!mem_guard((<u64>image_count + inode_live()) * NODE_COST)) return 0;
  collect_nodes();
  const n = inodes.length;
  const workdir = image_workdir();

  // Sizes, and each file's place in segment 1 (a hard link's bytes once).
  const leaders = new Table();
  const links = new Table();
  const offsets = new Array<u64>(n);
  let stringsSize: u64 = <u64>workdir.length;
  let dataSize: u64 = 0;
  for (let k = 0; k < n; k++) {
    stringsSize += name_len(k);
    const t = type_of(k);
    if (t == FILETYPE_SYMBOLIC_LINK) stringsSize += target_len(k);
    if (t != FILETYPE_REGULAR_FILE) continue;
    const key = file_key(k);
    const leader = key != 0 ? leaders.get(key) : -1;
    if (leader >= 0) {
      links.set(key, <u32>links.get(key) + 1);
      offsets[k] = offsets[<i32>leader];
      continue;
    }
    if (key != 0) {
      leaders.set(key, k);
      links.set(key, 1);
    }
    offsets[k] = dataSize;
    dataSize += data_size(k);
  }
  const stringsAt = <u64>HEADER_SIZE + <u64>n * ENTRY_SIZE;
  const seg0 = stringsAt + stringsSize;
  const total = 12 + seg0 + dataSize;
  if (seg0 > 0xffff_ffff || dataSize > 0xffff_ffff) return 0;
  const buf = fmem_alloc(total);
  if (buf == 0) return 0;
  lastPtr = buf;
  lastSize = total;

  const index = buf + 8;
  const data = index + <usize>seg0 + 4;
  memory.fill(index, 0, <usize>stringsAt);
  store<u32>(buf, 2);
  store<u32>(buf + 4, <u32>seg0);
  store<u32>(data - 4, <u32>dataSize);
  store<u32>(index, MAGIC);
  store<u32>(index + 4, VERSION);
  store<u32>(index + 8, <u32>n);
  store<u32>(index + 12, <u32>stringsAt);
  store<u64>(index + 16, image_quota);
  store<u64>(index + 24, image_build_time);
  store<u64>(index + 40, max_file_size);
  store<u32>(index + 48, max_path);
  store<u32>(index + 52, <u32>max_handles);
  store<u32>(index + 56, max_pages);
  store<u32>(index + 60, <u32>max_meta);

  let str: u32 = 0;
  for (let k = 0; k < n; k++) {
    const e = index + HEADER_SIZE + <usize>k * ENTRY_SIZE;
    const inode = unchecked(inodes[k]);
    const img = unchecked(imgs[k]);
    const t = type_of(k);
    store<u8>(e + E_TYPE, t);
    store<u16>(e + E_MODE, inode != null ? inode.mode : load<u16>(entry(<u32>img) + E_MODE));
    store<u64>(e + E_MTIME, inode != null ? inode.mtim : load<u64>(entry(<u32>img) + E_MTIME));
    const nlen = name_len(k);
    const ni = unchecked(nameImgs[k]);
    if (ni >= 0) memory.copy(index + <usize>stringsAt + str, image_strings + load<u32>(entry(<u32>ni) + E_NAME_OFF), nlen);
    else string_to_bytes(unchecked(names[k]), index + <usize>stringsAt + str);
    store<u32>(e + E_NAME_OFF, str);
    store<u32>(e + E_NAME_LEN, nlen);
    str += nlen;
    if (t == FILETYPE_DIRECTORY) {
      store<u32>(e + E_A, unchecked(firsts[k]));
      store<u32>(e + E_B, unchecked(counts[k]));
    } else if (t == FILETYPE_SYMBOLIC_LINK) {
      const tlen = target_len(k);
      const dst = index + <usize>stringsAt + str;
      if (inode != null) memory.copy(dst, inode.data, tlen);
      else memory.copy(dst, image_strings + load<u32>(entry(<u32>img) + E_A), tlen);
      store<u32>(e + E_A, str);
      store<u32>(e + E_B, tlen);
      str += tlen;
    } else {
      const key = file_key(k);
      const size = data_size(k);
      const count = key != 0 ? links.get(key) : 0;
      if (count > 1) {
        const lead = <i32>leaders.get(key);
        store<u32>(e + E_A, <u32>lead + 1);
        store<u32>(e + E_B, <u32>count);
        if (lead == k) copy_data(k, data + <usize>unchecked(offsets[k]), size);
      } else {
        copy_data(k, data + <usize>unchecked(offsets[k]), size);
      }
      store<u32>(e + E_DATA_OFF, <u32>unchecked(offsets[k]));
      store<u64>(e + E_SIZE, size);
    }
  }
  string_to_bytes(workdir, index + <usize>stringsAt + str);
  store<u32>(index + 32, str);
  store<u32>(index + 36, <u32>workdir.length);
  // Drop the node lists now: they hold inodes the program may release.
  reset();
  return (<u64>total << 32) | <u64>buf;
}
