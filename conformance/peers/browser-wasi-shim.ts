// @bjorn3/browser_wasi_shim: WASI in JavaScript over its in-memory
// directories, each fixture loaded into a PreopenDirectory; stdout and stderr
// pass through as the program writes them, stdin is empty.

import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI, type Inode } from '@bjorn3/browser_wasi_shim';
import { readTree, writeOut, type Peer, type Tree } from './peer.ts';

function entries(tree: Tree): Map<string, Inode> {
  return new Map([...tree].map(([name, v]): [string, Inode] => [name, v instanceof Map ? new Directory(entries(v)) : new File(v)]));
}

export const browserWasiShim: Peer = async (job) => {
  const fds = [
    new OpenFile(new File([])),
    new ConsoleStdout((bytes) => writeOut(1, bytes)),
    new ConsoleStdout((bytes) => writeOut(2, bytes)),
    ...job.preopens.map(([guest, host]) => new PreopenDirectory(guest, entries(readTree(host)))),
  ];
  // debug defaults to on (a console.log per call): switch it off.
  const wasi = new WASI([job.name, ...job.args], Object.entries(job.env).map(([k, v]) => `${k}=${v}`), fds, { debug: false });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(job.program as Uint8Array<ArrayBuffer>), { wasi_snapshot_preview1: wasi.wasiImport });
  return wasi.start(instance as Parameters<WASI['start']>[0]);
};
