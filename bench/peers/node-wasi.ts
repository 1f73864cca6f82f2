// node:wasi over the host filesystem: a fresh temp directory preopened as /work.

import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { checkExit, WORK, type Peer } from './peer.ts';

export function nodeWasi(program: Uint8Array): Peer {
  const compiled = WebAssembly.compile(program as Uint8Array<ArrayBuffer>);
  return {
    name: 'node:wasi',
    async run(args) {
      const dir = mkdtempSync(join(tmpdir(), 'vfs-bench-'));
      const out = join(dir, '.stdout');
      const fd = openSync(out, 'w+');
      try {
        const wasi = new WASI({ version: 'preview1', args: ['fsops', ...args], env: {}, preopens: { [WORK]: dir }, returnOnExit: true, stdout: fd });
        const instance = await WebAssembly.instantiate(await compiled, wasi.getImportObject() as WebAssembly.Imports);
        checkExit('node:wasi', wasi.start(instance));
        return readFileSync(out, 'utf8');
      } finally {
        closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
