// sleep(1) in a box with the clock in host mode must wait in the host's
// poll_oneoff, not spin: wall time about a second, CPU time near zero.
// Measured beside the bare program under node:wasi in the same run.

import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { runBox } from '@marcotte/runtime';

const program = readFileSync(new URL('./programs/sleep1.wasm', import.meta.url));
const box = link(program, { capabilities: [kernel, clock, proc], entrypoint: 'sleep1', args: [], env: [], clock: 'host' }).bytes;
const bareModule = await WebAssembly.compile(program);
const boxModule = await WebAssembly.compile(box);

async function measure(run: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

const bare = await measure(async () => {
  const wasi = new WASI({ version: 'preview1', args: ['sleep1'], env: {}, returnOnExit: true });
  wasi.start(await WebAssembly.instantiate(bareModule, wasi.getImportObject() as WebAssembly.Imports));
});
void boxModule;
const boxed = await measure(() => runBox(box));
console.log(`sleep(1): bare node:wasi ${bare.wallMs.toFixed(0)} ms wall, ${bare.cpuMs.toFixed(1)} ms CPU; ` +
  `box (--clock host) ${boxed.wallMs.toFixed(0)} ms wall, ${boxed.cpuMs.toFixed(1)} ms CPU (includes compiling the box)`);
