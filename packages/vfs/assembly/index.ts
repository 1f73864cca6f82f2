// The vfs driver: an in-memory filesystem over the image baked at link time.
// The kernel imports these exports from "box:vfs", calls them with vfs
// handles and with app pointers it has bounds-checked, and owns the fds.
// Nothing runs at instantiation: the first preopen_count() initializes.

import { handle_open, handles_init, handle_get } from "./handles";
import { image_init, image_workdir_bytes } from "./image";
import { limits_host_pages, mem_claim_arena } from "./limits";
import { resolve_set_root } from "./resolve";

export {
  fd_prestat_get, fd_prestat_dir_name, fd_read, fd_pread, fd_write, fd_pwrite, fd_seek, fd_tell,
  fd_advise, fd_allocate, fd_sync, fd_datasync, fd_fdstat_get, fd_fdstat_set_flags,
  fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, fd_readdir, fd_close,
} from "./fd";
export {
  path_open, path_create_directory, path_remove_directory, path_unlink_file, path_filestat_get,
  path_filestat_set_times, path_readlink, path_symlink, path_link, path_rename,
} from "./path";

import { snapshot as take_snapshot } from "./snapshot";

let preopens: Array<i32> | null = null;

function init(): void {
  handles_init();
  const root = image_init();
  mem_claim_arena();
  resolve_set_root(root);
  const list = new Array<i32>();
  const h = handle_open(root, 0);
  handle_get(<u32>h)!.preopen = "/";
  list.push(h);
  // No "." preopen for the workdir: wasi-libc strips "/" and "." to the same
  // empty prefix and sends every unprefixed path, absolute or relative, to the
  // one registered last, so a "." after "/" would move absolute paths into the
  // workdir. The program gets its workdir from its own chdir instead, called
  // by the box's _start with workdir() below (linker: workdir.ts).
  preopens = list;
}

/** Initializes on first call; the number of preopened directories: "/" only. */
export function preopen_count(): u32 {
  if (preopens == null) init();
  return <u32>preopens!.length;
}

/** The handle of preopen `i`; 0xffffffff when there is none. */
export function preopen(i: u32): u32 {
  if (preopens == null) init();
  const list = preopens!;
  return i < <u32>list.length ? <u32>unchecked(list[i]) : 0xffff_ffff;
}

/** The working directory the program starts in, as UTF-8 in this memory: (length << 32) | pointer; 0 for "/". */
export function workdir(): u64 {
  if (preopens == null) init();
  return image_workdir_bytes();
}

/** The current tree as an image (snapshot.ts): (length << 32) | pointer, or 0 when memory is short. */
export function snapshot(): u64 {
  if (preopens == null) init();
  return take_snapshot();
}

/**
 * Control: the host caps this memory at `pages` (box run --memory). Called
 * before the first call, so that init plans the allocator's share within
 * it; later calls change nothing (the plan is made once).
 */
export function memory_limit(pages: u32): void {
  if (preopens == null) limits_host_pages(pages);
}
