// Builds native/huge-pages.c into build/huge-pages.node with the C compiler
// directly (node-gyp would download Node's headers; Node ships them): the
// optional huge-page advice for box memories (src/huge-pages.ts). Without
// Linux, a compiler or Node's headers, it says so in one line and succeeds:
// boxes then run as they do without the addon.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'huge-pages.c');
const out = join(here, '..', 'build', 'huge-pages.node');
const skip = (why) => {
  console.log(`@marcotte/runtime: ${why}: boxes run without huge-page advice`);
  process.exit(0);
};

// a stale addon from an earlier build must not outlive a failed one
rmSync(out, { force: true });
if (process.platform !== 'linux') skip(`huge-page advice is Linux's (this is ${process.platform})`);

// node_api.h: beside this Node (its prefix's include/node: the pinned package, a system Node), or the usual places
// (the pinned `node` package's launcher has them in its platform package)
const prefix = join(dirname(process.execPath), '..');
const headers = [join(prefix, 'include', 'node'), join(prefix, 'node_modules', `node-${process.platform}-${process.arch}`, 'include', 'node'), '/usr/include/node', '/usr/local/include/node']
  .find((d) => existsSync(join(d, 'node_api.h')));
if (!headers) skip('no node_api.h found (Node\'s headers)');

const cc = process.env.CC || 'cc';
mkdirSync(dirname(out), { recursive: true });
// N-API only (the ABI-stable C interface): one build loads in Node 20 and 24; its symbols come from the node binary at load
const args = ['-O2', '-shared', '-fPIC', '-fvisibility=hidden', '-DNAPI_VERSION=4', `-I${headers}`, '-o', out, source];
const result = spawnSync(cc, args, { encoding: 'utf8' });
if (result.error || result.status !== 0) {
  rmSync(out, { force: true });
  const said = (result.stderr || '').trim().split('\n')[0];
  const why = result.error ? `${cc} not found` : `${cc} failed: ${said || `exit status ${result.status}`}`;
  skip(`the huge-page addon was not built (${why})`);
}
