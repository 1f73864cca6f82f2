// The peers the official suite is also run on (conformance/testsuite), by name.

import { browserWasiShim } from './browser-wasi-shim.ts';
import { nodeWasi } from './node-wasi.ts';
import type { Peer } from './peer.ts';
import { wasmUtilMemfs } from './wasm-util-memfs.ts';
import { wasmer } from './wasmer.ts';

export const PEERS = {
  'node:wasi': nodeWasi,
  'browser_wasi_shim': browserWasiShim,
  'wasmer': wasmer,
  'wasm-util+memfs': wasmUtilMemfs,
} as const satisfies Record<string, Peer>;

export type PeerName = keyof typeof PEERS;
export type { Peer, PeerJob } from './peer.ts';
