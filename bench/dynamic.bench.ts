// Dynamic mode (the parts wired in JS, for engines without multi-memory)
// beside static mode (one merged module), on the vfs benchmark's programs,
// in one run: what the fallback costs.

import { readFileSync } from 'node:fs';
import { box } from './peers/box.ts';
import { WORK } from './peers/peer.ts';

const program = readFileSync(new URL('./programs/fsops.wasm', import.meta.url));
const modes = [box(program, 'static'), box(program, 'dynamic')];
const ops: Array<[op: string, count: number]> = [
  ['write16', 300_000], ['read16', 300_000], ['openclose', 50_000], ['stat', 50_000], ['create', 20_000],
  ['readdir', 200], ['seqwrite', 2], ['seqread', 4], ['clock', 300_000],
];

console.log('| operation | static | dynamic | dynamic / static |');
console.log('| --- | ---: | ---: | ---: |');
for (const [op, count] of ops) {
  const values: number[] = [];
  let unit = '';
  for (const peer of modes) {
    await peer.run([op, String(count), WORK]); // warm up
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const fields = (await peer.run([op, String(count), WORK])).trim().split(/\s+/);
      runs.push(Number(fields[2]));
      unit = fields[3] ?? '';
    }
    values.push(runs.sort((a, b) => a - b)[1]!);
  }
  const [s, d] = values as [number, number];
  // For throughput (MB/s) a lower dynamic figure is the cost; for ns/op a higher one.
  const cost = unit.startsWith('MB') ? s / d : d / s;
  console.log(`| ${op} (${unit}) | ${s.toFixed(1)} | ${d.toFixed(1)} | ${cost.toFixed(2)}x slower |`);
}
