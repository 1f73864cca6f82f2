import { readFileSync } from 'node:fs';
import { box } from './peers/box.ts';
const program = readFileSync(new URL('./programs/fsops.wasm', import.meta.url));
const peer = box(program);
const [op, n] = process.argv.slice(2);
console.log(await peer.run([op!, n!, '/work']));
