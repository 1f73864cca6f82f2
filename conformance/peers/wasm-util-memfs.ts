// @tybys/wasm-util's WASI (Node's WASI API in JavaScript) over a memfs volume
// holding each fixture at its guest name. Its stdout and stderr are line
// printers (print / printErr get each line without its newline, and a last
// line without one is never printed): the program's output is rebuilt from them.

import { WASI, type IFs } from '@tybys/wasm-util';
import { createFsFromVolume, Volume } from 'memfs';
import { readTree, writeOut, type Peer, type Tree } from './peer.ts';

function flatten(at: string, tree: Tree, out: Record<string, Uint8Array | null>): void {
  out[at] = null;
  for (const [name, v] of tree) {
    const path = `${at.replace(/\/$/, '')}/${name}`;
    if (v instanceof Map) flatten(path, v, out);
    else out[path] = v;
  }
}

export const wasmUtilMemfs: Peer = async (job) => {
  const files: Record<string, Uint8Array | null> = {};
  const preopens: Record<string, string> = {};
  job.preopens.forEach(([guest, host], i) => {
    const at = `/fixture${i}`;
    flatten(at, readTree(host), files);
    preopens[guest] = at;
  });
  const volume = new Volume();
  for (const [path, data] of Object.entries(files)) {
    if (data === null) volume.mkdirSync(path, { recursive: true });
    else volume.writeFileSync(path, data);
  }
  const wasi = new WASI({
    version: 'preview1',
    args: [job.name, ...job.args],
    env: job.env,
    preopens,
    // memfs's typings differ from wasm-util's IFs only in readlinkSync's option overloads.
    fs: createFsFromVolume(volume) as unknown as IFs,
    returnOnExit: true,
    print: (line) => writeOut(1, `${line}\n`),
    printErr: (line) => writeOut(2, `${line}\n`),
  });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(job.program as Uint8Array<ArrayBuffer>), wasi.getImportObject() as WebAssembly.Imports);
  return (await wasi.start(instance)) ?? 0;
};
