// @wasmer/wasi 1.x: wasmer's WASI compiled to wasm (init() loads it) over its
// own in-memory MemFS, each fixture copied in and preopened under its guest
// name; stdout and stderr are handed over when the program ends.

import { init, MemFS, WASI } from '@wasmer/wasi';
import { readTree, writeOut, type Peer, type Tree } from './peer.ts';

function copyIn(fs: MemFS, at: string, tree: Tree): void {
  for (const [name, v] of tree) {
    const path = `${at.replace(/\/$/, '')}/${name}`;
    if (v instanceof Map) {
      fs.createDir(path);
      copyIn(fs, path, v);
    } else {
      const file = fs.open(path, { read: true, write: true, create: true });
      file.write(v);
      file.free();
    }
  }
}

export const wasmer: Peer = async (job) => {
  await init();
  const fs = new MemFS();
  const preopens: Record<string, string> = {};
  job.preopens.forEach(([guest, host], i) => {
    // Each fixture gets its own MemFS folder, preopened under its guest name.
    const at = `/fixture${i}`;
    fs.createDir(at);
    copyIn(fs, at, readTree(host));
    preopens[guest] = at;
  });
  const wasi = new WASI({ args: [job.name, ...job.args], env: job.env, preopens, fs });
  try {
    wasi.instantiate(await WebAssembly.compile(job.program as Uint8Array<ArrayBuffer>), {});
    let code: number;
    try {
      code = wasi.start();
    } finally {
      writeOut(1, wasi.getStdoutBuffer());
      writeOut(2, wasi.getStderrBuffer());
    }
    return code;
  } finally {
    wasi.free();
  }
};
