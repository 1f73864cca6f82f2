// @wasmer/wasi 1.x: WASI in a wasm-bindgen module (init() loads it) over its
// own in-memory MemFS, a fresh one with an empty /work for each run.

import { init, WASI } from '@wasmer/wasi';
import { checkExit, unavailable, WORK, type Peer } from './peer.ts';

export async function wasmer(program: Uint8Array): Promise<Peer> {
  const name = 'wasmer';
  try {
    await init();
  } catch (e) {
    return unavailable(name, `@wasmer/wasi init() failed: ${(e as Error).message}`);
  }
  const module = await WebAssembly.compile(program as Uint8Array<ArrayBuffer>);
  return {
    name,
    notes: { '*': 'its clock_time_get has 1 ms resolution: each loop runs >= 50 ms, so that is at most 2% of a figure' },
    async run(args) {
      const wasi = new WASI({ args: ['fsops', ...args], env: {} });
      try {
        wasi.fs.createDir(WORK);
        wasi.instantiate(module, {});
        checkExit(name, wasi.start(), wasi.getStderrString());
        return wasi.getStdoutString();
      } finally {
        wasi.free();
      }
    },
  };
}
