// The JS API from a plain Node script (no TypeScript, no test framework):
// link a program into a box with a small image, inspect it, run it, and read
// the files it left behind. `pnpm exec node packages/cli/scripts/api-example.mjs`
import { readFileSync } from 'node:fs';
import { inspect, link, run, snapshot } from '@marcotte/cli';

const program = readFileSync(new URL('../../../conformance/programs/dir_dump.wasm', import.meta.url));
const text = (s) => new TextEncoder().encode(s);
const { bytes, manifest } = link(program, {
  entrypoint: 'dir_dump', env: ['OUT=report.txt'],
  image: [{ path: '/data', type: 'dir' }, { path: '/data/in.txt', type: 'file', data: text('hello from the image\n') }],
});
const { authority } = inspect(bytes);
console.log(`capabilities: ${Object.keys(manifest.capabilities).join(' ')}`);
console.log(`authority: ${Object.entries(authority).map(([part, fns]) => `${part}=${fns.length}`).join(' ')}`);
const result = await run(bytes, { args: ['/data'], snapshot: true, timeoutMs: 60_000 });
console.log(`exit: ${result.exitCode}`);
const files = snapshot(result.snapshot).entries.filter((e) => e.type === 'file').map((e) => `${e.path} (${e.data.length} bytes)`);
console.log(`files: ${files.join(', ')}`);
