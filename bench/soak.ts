// Soak: one box (kernel + vfs + proc) runs programs/soak.c, a million
// open/write/read/close/unlink cycles by default, and this host samples the
// size of every memory the box exports (the program's `memory` and each
// capability's `box.<cap>.memory`) whenever the program prints a checkpoint
// (before the first cycle, after every tenth, at the end). After warm-up
// (the 10% checkpoint) no memory may grow: a leak in the kernel's fd table,
// the vfs's inodes, names, handles or file blocks would show here.
//
//   node soak.ts [CYCLES]        (Node 24, in bench/; exits 1 on growth)

import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { loadBox } from '@marcotte/runtime';
import { vfs } from '@marcotte/vfs';

const cycles = Number(process.argv[2] ?? 1_000_000);
const program = readFileSync(new URL('./programs/soak.wasm', import.meta.url));
const bytes = link(program, { capabilities: [kernel, vfs, proc], entrypoint: 'soak', args: [], env: [], image: [] }).bytes;
const { module } = await loadBox(bytes);

interface Sample {
  label: string;
  ms: number;
  sizes: Record<string, number>;
}

const samples: Sample[] = [];
let exports: WebAssembly.Exports | undefined;
const memories = () => Object.entries(exports ?? {}).filter(([name, v]) => v instanceof WebAssembly.Memory && (name === 'memory' || /^box\..+\.memory$/.test(name)));
const t0 = performance.now();
const wasi = new WASI({ version: 'preview1', args: ['soak', String(cycles)], env: {}, returnOnExit: true });
const host = wasi.getImportObject() as { wasi_snapshot_preview1: Record<string, (...a: number[]) => number> };
const fdWrite = host.wasi_snapshot_preview1.fd_write!;
host.wasi_snapshot_preview1.fd_write = (fd, iovs, count, nwritten) => {
  if (fd === 1 && exports) {
    // the program's line, read from its iovecs, labels the sample
    const memory = exports.memory as WebAssembly.Memory;
    const view = new DataView(memory.buffer);
    let text = '';
    for (let i = 0; i < count; i++) {
      const buf = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      text += new TextDecoder().decode(new Uint8Array(memory.buffer, buf, len));
    }
    for (const line of text.split('\n').filter(Boolean)) {
      if (!line.startsWith('checkpoint ')) console.log(`soak: ${line}`);
      else samples.push({ label: line.slice(11), ms: performance.now() - t0, sizes: Object.fromEntries(memories().map(([n, m]) => [n, (m as WebAssembly.Memory).buffer.byteLength])) });
    }
    view.setUint32(nwritten, new TextEncoder().encode(text).length, true);
    return 0;
  }
  return fdWrite(fd, iovs, count, nwritten);
};
const instance = await WebAssembly.instantiate(module, host as unknown as WebAssembly.Imports);
exports = instance.exports;
const code = wasi.start(instance);
if (code !== 0) throw new Error(`soak exited with ${code}`);

const names = Object.keys(samples[0]!.sizes);
const kib = (n: number) => `${(n / 1024).toLocaleString('en')} KiB`;
console.log(`soak: ${cycles.toLocaleString('en')} open/write/read/close/unlink cycles in one box, ${(performance.now() - t0).toFixed(0)} ms`);
console.log(['cycles', ...names].join('\t'));
for (const s of samples) console.log([s.label, ...names.map((n) => kib(s.sizes[n]!))].join('\t'));
const warm = samples[1] ?? samples[0]!;
const last = samples.at(-1)!;
const grown = names.filter((n) => last.sizes[n]! > warm.sizes[n]!);
if (grown.length) {
  console.log(`soak: FAIL: grew after warm-up: ${grown.map((n) => `${n} ${kib(warm.sizes[n]!)} -> ${kib(last.sizes[n]!)}`).join(', ')}`);
  process.exitCode = 1;
} else {
  console.log(`soak: ok: no memory grew between ${warm.label} and ${last.label} cycles`);
}
