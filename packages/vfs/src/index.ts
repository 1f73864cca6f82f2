import type { CapabilityDescriptor, Support } from '@marcotte/abi';
import { encodeImage } from './image.ts';
import { wasm } from './wasm.ts';
import pkg from '../package.json' with { type: 'json' };

// Everything portable (what a browser bundle gets, through the "browser" condition of package.json's exports)...
export * from './portable.ts';
// ...and what needs Node: the host directory side and the capability's compiled module.
export { imageFromDirectory } from './image-dir.ts';
export { writeEntries } from './snapshot-dir.ts';

const supported: Support = { status: 'supported' };

/**
 * How far the driver serves each preview1 function the kernel routes to it
 * (the kernel owns the fds and the rights; fd_renumber and
 * fd_fdstat_set_rights never reach a driver).
 */
export const vfsSupport: Readonly<Record<string, Support>> = {
  fd_advise: { status: 'partial', note: 'validated, then ignored: everything is in memory' },
  fd_allocate: supported,
  fd_close: supported,
  fd_datasync: { status: 'partial', note: 'nothing to flush: succeeds on any open handle' },
  fd_fdstat_get: supported,
  fd_fdstat_set_flags: { status: 'partial', note: 'APPEND is honoured; DSYNC, NONBLOCK, RSYNC, SYNC are stored and reported only' },
  fd_filestat_get: supported,
  fd_filestat_set_size: supported,
  fd_filestat_set_times: supported,
  fd_pread: supported,
  fd_prestat_dir_name: supported,
  fd_prestat_get: supported,
  fd_pwrite: supported,
  fd_read: { status: 'partial', note: 'atim is not updated by reads (noatime)' },
  fd_readdir: supported,
  fd_seek: supported,
  fd_sync: { status: 'partial', note: 'nothing to flush: succeeds on any open handle' },
  fd_tell: supported,
  fd_write: supported,
  path_create_directory: supported,
  path_filestat_get: supported,
  path_filestat_set_times: supported,
  path_link: supported,
  path_open: { status: 'partial', note: 'fdflags DSYNC, NONBLOCK, RSYNC, SYNC are stored only; opening a symlink without SYMLINK_FOLLOW answers ELOOP (wasmtime; node:wasi follows it)' },
  path_readlink: { status: 'partial', note: 'a short buffer truncates, as readlink(2) and wasmtime (node:wasi: ENOBUFS)' },
  path_remove_directory: supported,
  path_rename: supported,
  path_symlink: supported,
  path_unlink_file: supported,
};

/** A single-memory box's vfs region without --vfs-memory: 1 GiB (plus room for its image). */
export const DEFAULT_REGION_PAGES = 16384;

/** vfs: the in-memory filesystem driver over the image baked at link time. */
export const vfs: CapabilityDescriptor = {
  name: 'vfs',
  // A getter keeps the descriptor free of side effects, so bundles that never use it (the browser's) drop it.
  get version() {
    return pkg.version;
  },
  wasm,
  impliedBy: { options: ['fs', 'image', 'workdir', 'mountPoints', 'vfsLimits'] },
  provides: [],
  support: vfsSupport,
  /**
   * snapshot() -> (len << 32) | ptr in the vfs memory: the current tree as an image (src/snapshot.ts);
   * memory_limit(pages): the host's cap on the vfs memory, before the first call (box run --memory);
   * both are control protocols (abi controls.ts), as is its workdir() export, which is not published
   */
  control: ['snapshot', 'memory_limit'],
  filesystem: true,
  // Its memory holds the files: --vfs-memory, else 1 GiB and room for twice its image.
  regionPages: (settings, configBytes) => settings.vfsLimits?.maxPages || DEFAULT_REGION_PAGES + 2 * Math.ceil(configBytes / 65536),
  config: (settings) => encodeImage(settings.image ?? [], { ...settings.vfsLimits, workdir: settings.workdir }),
};
