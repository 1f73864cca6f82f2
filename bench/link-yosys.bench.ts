// Link time and heap growth on Yosys (about 30 MB of wasm), side by side
// with binaryen reading and writing the same module in the same run.
// Targets (issue 3): >= 100 MB/s of input, >= 10x binaryen, heap growth < 3x input.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { link } from '@marcotte/linker';

const gen = dirname(fileURLToPath(import.meta.resolve('@yowasp/yosys')));
const input = readFileSync(join(gen, 'yosys.core.wasm'));
const MB = input.length / 1e6;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const live = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

function ours(): number {
  const t = performance.now();
  link(input, { capabilities: [kernel, proc], entrypoint: 'yosys', args: [], env: [] });
  return performance.now() - t;
}

ours(); // warm up the JIT
const times = Array.from({ length: 5 }, ours).sort((a, b) => a - b);
const median = times[2]!;

gc();
const before = live();
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, live())), 1);
const kept = link(input, { capabilities: [kernel, proc], entrypoint: 'yosys', args: [], env: [] });
peak = Math.max(peak, live());
clearInterval(sampler);
const growth = peak - before;

const t = performance.now();
const module = binaryen.readBinary(input);
module.emitBinary();
module.dispose();
const binaryenMs = performance.now() - t;

console.log(`input: yosys.core.wasm ${MB.toFixed(1)} MB; box ${(kept.bytes.length / 1e6).toFixed(1)} MB`);
console.log(`box-link (kernel+proc): median ${median.toFixed(0)} ms of 5 = ${(MB / (median / 1000)).toFixed(0)} MB/s (best ${times[0]!.toFixed(0)} ms = ${(MB / (times[0]! / 1000)).toFixed(0)} MB/s)`);
console.log(`binaryen read+write:    ${binaryenMs.toFixed(0)} ms = ${(MB / (binaryenMs / 1000)).toFixed(1)} MB/s`);
console.log(`ratio binaryen/box-link: ${(binaryenMs / median).toFixed(1)}x`);
console.log(`heap growth while linking (live + not yet collected): ${(growth / 1e6).toFixed(1)} MB = ${(growth / input.length).toFixed(2)}x the input${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for a clean baseline)'}`);
