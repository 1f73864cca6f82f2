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

/** What a box is made and run with: this checkout's packages, or another checkout's (boxFrom). */
interface Parts {
  kernel: typeof kernel; vfs: typeof vfs; proc: typeof proc; clock: typeof clock; link: typeof link; runBox: typeof runBox;
}
const here: Parts = { kernel, vfs, proc, clock, link, runBox };

/** The packages of another checkout of this repository (built), to time its box beside this one's (before/after in one run). */
export async function partsFrom(tree: string): Promise<Parts> {
  const from = (pkg: string) => import(`${tree}/packages/${pkg}/src/index.ts`);
  const [k, v, p, c, l, r] = await Promise.all(['kernel', 'vfs', 'proc', 'clock', 'linker', 'runtime'].map(from));
  return { kernel: k.kernel, vfs: v.vfs, proc: p.proc, clock: c.clock, link: l.link, runBox: r.runBox };
}

/**
 * `withClock`: linked as `box build` links boxes (fs, proc, clock host), so file stamps read the host clock.
 * `parts`/`label`: another checkout's packages (partsFrom), named in the peer's name.
 * `env`: set in this process's environment during each run (the runtime reads MARCOTTE_HUGE_PAGES at every run).
 */
export function box(program: Uint8Array, mode: 'static' | 'dynamic' = 'static', withClock = false, parts: Parts = here, label = '', env: Record<string, string> = {}): Peer {
  const { kernel, vfs, proc, clock, link, runBox } = parts;
  const bytes = link(program, {
    capabilities: withClock ? [kernel, vfs, proc, clock] : [kernel, vfs, proc], entrypoint: 'fsops', args: [], env: [],
    image: [{ path: WORK, type: 'dir' }], portable: mode === 'dynamic', ...(withClock ? { clock: 'host' } : {}),
  }).bytes;
  return {
    name: `${mode === 'static' ? 'box' : 'box (dynamic)'}${withClock ? ' + clock' : ''}${label}`,
    async run(args) {
      const dir = mkdtempSync(join(tmpdir(), 'vfs-bench-box-'));
      const out = join(dir, 'stdout');
      const fd = openSync(out, 'w+');
      const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
      Object.assign(process.env, env);
      try {
        const { exitCode } = await runBox(bytes, { args, stdout: fd, mode });
        checkExit('box', exitCode);
        return readFileSync(out, 'utf8');
      } finally {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
        closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
