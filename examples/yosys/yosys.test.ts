// Yosys, a large real C++ program (about 30 MB of wasm, a plain preview1
// command from @yowasp/yosys), boxed with kernel and proc: it must
// synthesize our design and print the same `stat` report as the bare module
// under node:wasi, the reference host.

import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { imageFromDirectory, vfs } from '@marcotte/vfs';
import { link } from '@marcotte/linker';
import { runBox } from '@marcotte/runtime';
import { writeTree, yosysTree, yosysWasmPath } from './share-tree.ts';

// ABC runs as a separate program in native Yosys; the single-module build cannot start it, so -noabc.
// The stat report goes to the log (stdout) and to the file `out`.
const script = (out: string) => `read_verilog /counter.v; synth -top counter -noabc; tee -o ${out} stat`;
const stats = (log: string) => log.slice(log.lastIndexOf('Printing statistics.'), log.indexOf('End of script'));

let root: string;
let program: Uint8Array<ArrayBuffer>;
/** The reference, run once for every test (a Yosys run is seconds of CPU): the bare module's log under node:wasi, with / preopened as root; it also wrote root/bare.txt. */
let bare: string;

/** What a run printed on stdout (captured through a file), after checking that it exited 0. */
async function capture(run: (stdout: number) => Promise<number>): Promise<string> {
  const path = join(root, `log-${Math.random()}.txt`);
  const fd = openSync(path, 'w');
  try {
    expect(await run(fd)).toBe(0);
  } finally {
    // Yosys closes its stdout on exit, and node:wasi passes that close to the real fd.
    try {
      closeSync(fd);
    } catch {}
  }
  return readFileSync(path, 'utf8');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'yosys-box-'));
  writeTree(await yosysTree(), root);
  mkdirSync(join(root, 'tmp'));
  copyFileSync(new URL('./counter.v', import.meta.url), join(root, 'counter.v'));
  program = readFileSync(yosysWasmPath);
  bare = await capture(async (stdout) => {
    const wasi = new WASI({ version: 'preview1', args: ['yosys', '-p', script('/bare.txt')], env: {}, preopens: { '/': root }, returnOnExit: true, stdout });
    return wasi.start(await WebAssembly.instantiate(await WebAssembly.compile(program), wasi.getImportObject() as WebAssembly.Imports));
  });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('yosys as a box', () => {
  it('prints the same stat report as the bare module under node:wasi', async () => {
    const { bytes, manifest } = link(program, { capabilities: [kernel, proc], entrypoint: 'yosys', args: [], env: [] });
    expect(manifest.served.path_open).toBe('kernel');
    const log = await capture(async (stdout) => (await runBox(bytes, { args: ['-p', script('/boxed.txt')], dirs: [['/', root]], stdout })).exitCode);

    const report = readFileSync(join(root, 'bare.txt'), 'utf8');
    expect(report).toMatch(/=== counter ===/);
    expect(report).toMatch(/\$_SDFFE_PP0P_ +8/);
    expect(readFileSync(join(root, 'boxed.txt'), 'utf8')).toBe(report);
    expect(stats(log)).toBe(stats(bare));
  });

  it('runs with its share tree baked in as the image (--fs), printing the same report in static and dynamic mode', async () => {
    const args = ['-p', script('/bare.txt')];
    const image = imageFromDirectory(root).filter((e) => !e.path.startsWith('/log-'));
    const { bytes, manifest } = link(program, { capabilities: [kernel, vfs, proc], entrypoint: 'yosys', args: [], env: [], image, portable: true });
    expect(manifest.capabilities.vfs).toBeDefined();
    // the box reads its share tree from its own image: no host directory is given
    const boxed = await capture(async (stdout) => (await runBox(bytes, { args, stdout, mode: 'static' })).exitCode);
    expect(stats(bare)).toMatch(/Number of cells: +30/);
    expect(stats(boxed)).toBe(stats(bare));
    // and the same parts wired in JavaScript (dynamic mode) print the same
    const dynamic = await capture(async (stdout) => (await runBox(bytes, { args, stdout, mode: 'dynamic' })).exitCode);
    expect(stats(dynamic)).toBe(stats(bare));
    // Two runs of a 30 MB program (~5 s alone): generous for a loaded 2-core machine.
  }, 240_000);
});
