// @bjorn3/browser_wasi_shim: a JavaScript WASI over its in-memory
// PreopenDirectory, a fresh empty one at /work for each run.
//
// Its OpenFile.fd_write reallocates and copies the whole file whenever a
// write extends it, so building a 64 MiB file in 64 KiB chunks is quadratic
// (about 30 s here). seqwrite is therefore left out unless VFS_BENCH_SLOW=1,
// and for seqread the host puts the 64 MiB file in place (fsops then reuses it).

import { ConsoleStdout, File, OpenFile, PreopenDirectory, WASI, type Inode } from '@bjorn3/browser_wasi_shim';
import { checkExit, WORK, type Peer } from './peer.ts';

const SEQ_BYTES = 64 * 1024 * 1024;
const slow = process.env.VFS_BENCH_SLOW === '1';

function seqFile(): File {
  const data = new Uint8Array(SEQ_BYTES);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >> 8)) & 0xff;
  return new File(data);
}

export function browserWasiShim(program: Uint8Array): Peer {
  const compiled = WebAssembly.compile(program as Uint8Array<ArrayBuffer>);
  return {
    name: 'browser_wasi_shim',
    ...(slow ? {} : { skip: { seqwrite: 'each extending fd_write copies the whole file: one 64 MiB pass takes ~30 s (VFS_BENCH_SLOW=1 runs it)' } }),
    notes: {
      write16: 'each extending fd_write copies the whole file, so ns/op grows with the count (see loop counts)',
      readdir: 'fd_readdir copies the directory into an array for every entry, so ns/entry grows with the directory',
      seqread: 'the 64 MiB file is put in place by the host: writing it through the shim takes ~30 s',
    },
    async run(args) {
      const decoder = new TextDecoder();
      let stdout = '';
      let stderr = '';
      const work = new Map<string, Inode>();
      if (args[0] === 'seqread') work.set('seq', seqFile());
      const fds = [
        new OpenFile(new File([])),
        new ConsoleStdout((bytes) => (stdout += decoder.decode(bytes))),
        new ConsoleStdout((bytes) => (stderr += decoder.decode(bytes))),
        new PreopenDirectory(WORK, work),
      ];
      // debug defaults to on (a console.log per call): switch it off.
      const wasi = new WASI(['fsops', ...args], [], fds, { debug: false });
      const instance = await WebAssembly.instantiate(await compiled, { wasi_snapshot_preview1: wasi.wasiImport });
      checkExit('browser_wasi_shim', wasi.start(instance as Parameters<WASI['start']>[0]), stderr);
      return stdout;
    },
  };
}
