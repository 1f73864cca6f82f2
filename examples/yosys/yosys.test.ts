// Yosys, a large real C++ program (about 30 MB of wasm, a plain preview1
// command from @yowasp/yosys), boxed with kernel and proc: it must
// synthesize our design and print the same `stat` report as the bare module
// under node:wasi, the reference host.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
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
});
