// The box: fsops.wasm statically merged with kernel + vfs + proc, an image
// holding only /work; stdout goes through a temp file's fd.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { clock } from '@marcotte/clock';
import { vfs } from '@marcotte/vfs';
import { link } from '@marcotte/linker';
import { runBox } from '@marcotte/runtime';
import { checkExit, WORK, type Peer } from './peer.ts';

/** `withClock`: linked as `box build` links boxes (fs, proc, clock host), so file stamps read the host clock. */
export function box(program: Uint8Array, mode: 'static' | 'dynamic' = 'static', withClock = false): Peer {
  const bytes = link(program, {
    capabilities: withClock ? [kernel, vfs, proc, clock] : [kernel, vfs, proc], entrypoint: 'fsops', args: [], env: [],
    image: [{ path: WORK, type: 'dir' }], portable: mode === 'dynamic', ...(withClock ? { clock: 'host' } : {}),
  }).bytes;
  return {
    name: `${mode === 'static' ? 'box' : 'box (dynamic)'}${withClock ? ' + clock' : ''}`,
    async run(args) {
      const dir = mkdtempSync(join(tmpdir(), 'vfs-bench-box-'));
      const out = join(dir, 'stdout');
      const fd = openSync(out, 'w+');
      try {
        const { exitCode } = await runBox(bytes, { args, stdout: fd, mode });
        checkExit('box', exitCode);
        return readFileSync(out, 'utf8');
      } finally {
        closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
