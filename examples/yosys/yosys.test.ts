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
const script = (out: string) => `read_verilog /counter.v; synth -top counter -noabc; tee -q -o ${out} stat`;

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'yosys-box-'));
  writeTree(await yosysTree(), root);
  mkdirSync(join(root, 'tmp'));
  copyFileSync(new URL('./counter.v', import.meta.url), join(root, 'counter.v'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('yosys as a box', () => {
  it('prints the same stat report as the bare module under node:wasi', async () => {
    const program = readFileSync(yosysWasmPath);
    const wasi = new WASI({ version: 'preview1', args: ['yosys', '-q', '-p', script('/bare.txt')], env: {}, preopens: { '/': root }, returnOnExit: true });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(program), wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(0);

    const { bytes, manifest } = link(program, { capabilities: [kernel, proc], entrypoint: 'yosys', args: [], env: [] });
    expect(manifest.served.path_open).toBe('kernel');
    const { exitCode } = await runBox(bytes, { args: ['-q', '-p', script('/boxed.txt')], dirs: [['/', root]] });
    expect(exitCode).toBe(0);

    const bare = readFileSync(join(root, 'bare.txt'), 'utf8');
    expect(bare).toMatch(/=== counter ===/);
    expect(bare).toMatch(/\$_SDFFE_PP0P_ +8/);
    expect(readFileSync(join(root, 'boxed.txt'), 'utf8')).toBe(bare);
  });

  it('runs with its share tree baked in as the image (--fs), printing the same report in static and dynamic mode', async () => {
    const program = readFileSync(yosysWasmPath);
    const args = ['-p', 'read_verilog /counter.v; synth -top counter -noabc; stat'];
    const stats = (log: string) => log.slice(log.lastIndexOf('Printing statistics.'), log.indexOf('End of script'));
    const capture = async (run: (stdout: number) => Promise<number>) => {
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
    };
    const bare = await capture(async (stdout) => {
      const wasi = new WASI({ version: 'preview1', args: ['yosys', ...args], env: {}, preopens: { '/': root }, returnOnExit: true, stdout });
      return wasi.start(await WebAssembly.instantiate(await WebAssembly.compile(program), wasi.getImportObject() as WebAssembly.Imports));
    });
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
    // Three runs of a 30 MB program (~7 s alone): generous for a loaded 2-core machine.
  }, 240_000);
});
