// @tybys/wasm-util's WASI (Node's WASI API, in JavaScript) over a memfs
// volume: a fresh in-memory volume with an empty /work for each run.

import { WASI, type IFs } from '@tybys/wasm-util';
import { createFsFromVolume, Volume } from 'memfs';
import { checkExit, WORK, type Peer } from './peer.ts';

export function wasmUtilMemfs(program: Uint8Array): Peer {
  const compiled = WebAssembly.compile(program as Uint8Array<ArrayBuffer>);
  return {
    name: 'wasm-util+memfs',
    notes: { '*': 'its clock_time_get has 1 ms resolution: each loop runs >= 50 ms, so that is at most 2% of a figure' },
    async run(args) {
      let stdout = '';
      let stderr = '';
      const fs = createFsFromVolume(Volume.fromJSON({ [WORK]: null }));
      const wasi = new WASI({
        version: 'preview1',
        args: ['fsops', ...args],
        env: {},
        preopens: { [WORK]: WORK },
        // memfs's typings differ from wasm-util's IFs only in readlinkSync's option overloads.
        fs: fs as unknown as IFs,
        returnOnExit: true,
        print: (s) => (stdout += `${s}\n`),
        printErr: (s) => (stderr += `${s}\n`),
      });
      const instance = await WebAssembly.instantiate(await compiled, wasi.getImportObject() as WebAssembly.Imports);
      checkExit('wasm-util+memfs', (await wasi.start(instance)) ?? 0, stderr);
      return stdout;
    },
  };
}
