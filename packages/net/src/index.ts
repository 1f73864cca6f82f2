import type { CapabilityDescriptor, LinkSettings, Support } from '@marcotte/abi';
import { wasm } from './wasm.ts';
import pkg from '../package.json' with { type: 'json' };

/**
 * Nothing of preview1 is served by net itself: the kernel owns every fd and
 * calls the driver (box:net) for the fds it holds. The table below says how
 * far each socket-related call goes on those fds.
 */
export const NET_FUNCTIONS = [
  'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown', 'fd_read', 'fd_write', 'fd_close',
  'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_filestat_get', 'poll_oneoff',
] as const;

export const netSupport: Readonly<Record<string, Support>> = {
  sock_accept: { status: 'partial', note: 'on preopened listening sockets (--listen); flags: NONBLOCK only (else EINVAL)' },
  sock_recv: { status: 'supported' },
  sock_send: { status: 'partial', note: 'si_flags are passed to the host (preview1 defines none)' },
  sock_shutdown: { status: 'supported' },
  fd_read: { status: 'supported' },
  fd_write: { status: 'supported' },
  fd_close: { status: 'supported' },
  fd_fdstat_get: { status: 'supported' },
  fd_fdstat_set_flags: { status: 'partial', note: 'NONBLOCK only; other flags answer EINVAL' },
  fd_filestat_get: { status: 'partial', note: 'filetype SOCKET_STREAM; sizes, times and ids are 0' },
  poll_oneoff: { status: 'supported' },
  sock_open: { status: 'unsupported', note: 'preview1 has no socket creation or connect: outbound connections wait for a later issue' },
};

/** box:config segment 0: u32 count, then the box ports in --listen order (u32 each, little-endian). */
export function netConfig(settings: LinkSettings): Uint8Array {
  const ports = settings.listen ?? [];
  const out = new Uint8Array(4 + 4 * ports.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, ports.length, true);
  ports.forEach((p, i) => { view.setUint32(4 + 4 * i, p, true); });
  return out;
}

/** A box port: 1-65535. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** net: the kernel's socket driver over the host's listening sockets (box:net). */
export const net: CapabilityDescriptor = {
  name: 'net',
  // A getter keeps the descriptor free of side effects, so bundles that never use it (the browser's) drop it.
  get version() {
    return pkg.version;
  },
  wasm,
  impliedBy: { options: ['net', 'listen'] },
  provides: [],
  support: netSupport,
  config: (settings) => [netConfig(settings)],
};
