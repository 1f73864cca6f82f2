// temporary: box-only timing of fsops
import { readFileSync } from 'node:fs';
import { box } from './peers/box.ts';
const program = readFileSync(new URL('./programs/fsops.wasm', import.meta.url));
const peer = box(program);
const ops: [string, number][] = [['write16', 2_000_000], ['read16', 2_000_000], ['openclose', 200_000], ['stat', 200_000], ['create', 100_000], ['readdir', 100], ['seqwrite', 10], ['seqread', 20]];
const only = process.argv.slice(2);
for (const [op, n] of ops) {
  if (only.length && !only.includes(op)) continue;
  const vals: number[] = [];
  for (let r = 0; r < 3; r++) vals.push(Number((await peer.run([op, String(n), '/work'])).trim().split(' ')[2]));
  vals.sort((a, b) => a - b);
  console.log(op, vals[1], vals.join(' '));
}
