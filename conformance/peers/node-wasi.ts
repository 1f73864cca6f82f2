// node:wasi (uvwasi over libuv): the fixtures preopened from the host copies.

import { WASI } from 'node:wasi';
import type { Peer } from './peer.ts';

export const nodeWasi: Peer = async (job) => {
  const wasi = new WASI({ version: 'preview1', args: [job.name, ...job.args], env: job.env, preopens: Object.fromEntries(job.preopens), returnOnExit: true });
  const module = await WebAssembly.compile(job.program as Uint8Array<ArrayBuffer>);
  return wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports));
};
