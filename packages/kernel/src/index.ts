import type { CapabilityDescriptor, LinkSettings, Support } from '@marcotte/abi';
import { wasm } from './wasm.ts';
import pkg from '../package.json' with { type: 'json' };

/** Every fd-taking preview1 function, and poll_oneoff: the kernel owns the fd namespace. */
const provides = [
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times',
  'fd_pread', 'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir',
  'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'fd_write',
  'path_create_directory', 'path_filestat_get', 'path_filestat_set_times', 'path_link', 'path_open',
  'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file',
  'poll_oneoff', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown',
] as const;

const notes: Record<string, Support> = {
  fd_close: { status: 'partial', note: 'closing fds 0-2 closes the box fd only; the host keeps its stdio' },
  fd_fdstat_set_rights: { status: 'partial', note: 'narrows the box fd table only; the host fd keeps its rights' },
  poll_oneoff: { status: 'partial', note: 'a subscription on an fd that is not open is reported at once as an EBADF event' },
};

/** box:config segment 0: u32 count, then NUL-terminated mount point paths. */
export function kernelConfig(settings: LinkSettings): Uint8Array {
  const encoder = new TextEncoder();
  const paths = (settings.mountPoints ?? []).map((p) => encoder.encode(p.replace(/\/+$/, '') || '/'));
  const out = new Uint8Array(4 + paths.reduce((n, p) => n + p.length + 1, 0));
  new DataView(out.buffer).setUint32(0, paths.length, true);
  let at = 4;
  for (const p of paths) {
    out.set(p, at);
    at += p.length + 1;
  }
  return out;
}

/** The kernel: fd table and the fd surface; the host driver serves stdio and host preopens. */
export const kernel: CapabilityDescriptor = {
  name: 'kernel',
  // A getter keeps the descriptor free of side effects, so bundles that never use it (the browser's) drop it.
  get version() {
    return pkg.version;
  },
  wasm,
  // It owns the fd table: every box has it.
  impliedBy: { always: true },
  provides,
  init: 'init',
  config: (settings) => [kernelConfig(settings)],
  support: Object.fromEntries(provides.map((f) => [f, notes[f] ?? { status: 'supported' }])),
};
