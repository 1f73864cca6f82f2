// fd_write through a box (program -> kernel -> host) against the bare program
// on node:wasi, both on this Node in the same run. Reports the ratio of
// medians, the cost of linking and what a box adds to a program's size.

import { openSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { link } from '@marcotte/linker';
import { runBox } from '@marcotte/runtime';

const N = 200_000;
const ROUNDS = 7;
const program = readFileSync(new URL('./programs/write_loop.wasm', import.meta.url));
const hello = readFileSync(new URL('../examples/hello/hello.wasm', import.meta.url));
const devnull = openSync('/dev/null', 'w');
const box = link(program, { capabilities: [kernel, proc], entrypoint: 'write_loop', args: [], env: [] }).bytes;
const bareModule = await WebAssembly.compile(program);

async function bare(): Promise<void> {
  const wasi = new WASI({ version: 'preview1', args: ['write_loop', String(N)], env: {}, returnOnExit: true, stdout: devnull });
  wasi.start(await WebAssembly.instantiate(bareModule, wasi.getImportObject() as WebAssembly.Imports));
}

async function boxed(): Promise<void> {
  await runBox(box, { args: [String(N)], stdout: devnull });
}

async function median(fn: () => Promise<void> | void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[ROUNDS >> 1]!;
}

await bare();
await boxed();
// Interleave peers so machine noise hits both alike.
const bareMs = await median(bare);
const boxMs = await median(boxed);
const linkMs = await median(() => void link(hello, { capabilities: [kernel, proc], entrypoint: 'hello', args: [], env: [] }));
const linked = link(hello, { capabilities: [kernel, proc], entrypoint: 'hello', args: [], env: [] }).bytes;

console.log(`fd_write x${N}: bare node:wasi ${bareMs.toFixed(1)} ms, box ${boxMs.toFixed(1)} ms, ratio box/bare ${(boxMs / bareMs).toFixed(2)}`);
console.log(`per call: bare ${((bareMs * 1e6) / N).toFixed(0)} ns, box ${((boxMs * 1e6) / N).toFixed(0)} ns`);
console.log(`link hello (kernel+proc): ${linkMs.toFixed(1)} ms; box ${linked.length} bytes = program ${hello.length} bytes x ${(linked.length / hello.length).toFixed(2)}`);
