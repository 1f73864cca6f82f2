// `box build examples/yosys` then `box run`, against the same program and
// files under node:wasi (the reference host): the same report on stdout,
// and the same stat report written into the box's own filesystem.

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '@marcotte/abi';
import { configSegments } from '@marcotte/linker';
import { decodeImage } from '@marcotte/vfs';
import { cliInProcess } from '../../packages/cli/src/cli-harness.ts';
import { genDir, prepare } from './prepare.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = ['-Q', '-T', '-s', '/src/synth.ys'];

let work: string;
beforeAll(async () => {
  await prepare();
  work = mkdtempSync(join(tmpdir(), 'yosys-build-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The built CLI called in this process (the CLI's tests spawn its bin where the process is what
// they check): three spawns cost a Node start and a bundle load each, and the test worker's
// --liftoff-only (vitest.config.ts) then applies to `box run`'s compile of Yosys too.
const cli = (argv: string[]) => cliInProcess('box', argv);

/** The same program and files under node:wasi: stdout and the stat report it writes. */
async function bare(): Promise<{ stdout: string; stat: string }> {
  const out = join(work, 'bare-out');
  const tmp = join(work, 'bare-tmp');
  mkdirSync(out);
  mkdirSync(tmp);
  const stdoutPath = join(work, 'bare-stdout');
  const fd = openSync(stdoutPath, 'w');
  try {
    const wasi = new WASI({
      version: 'preview1', args: ['/usr/bin/yosys', ...args], env: {}, returnOnExit: true, stdout: fd,
      preopens: { '/share': join(genDir, 'share'), '/src': join(here, 'design'), '/out': out, '/tmp': tmp },
    });
    const program = readFileSync(join(genDir, 'yosys.wasm'));
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(program), wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(0);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Yosys closes its stdout on exit, and node:wasi passes that close on
    }
  }
  return { stdout: readFileSync(stdoutPath, 'utf8'), stat: readFileSync(join(out, 'stat.txt'), 'utf8') };
}

describe('examples/yosys: box build', () => {
  it('box build then box run prints the same report as the program under node:wasi', async () => {
    const output = join(work, 'yosys.box.wasm');
    const cacheDir = join(work, 'cache');
    const built = await cli(['build', '--cache-dir', cacheDir, '-o', output, here]);
    expect(built.stderr).toMatch(/box build: wrote .*yosys\.box\.wasm/);
    expect(built.status).toBe(0);
    const bytes = readFileSync(output);
    const manifest = readManifest(bytes);
    expect(manifest.entrypoint).toBe('/usr/bin/yosys');
    expect(manifest.args).toEqual(args);
    expect(manifest.build?.layers.map((l) => l.line)).toEqual([5, 6, 7, 8, 9]);

    // One run of Yosys (seconds of CPU) serves both checks: its stdout, and
    // its filesystem afterwards, which --commit writes into a new box.
    const committed = join(work, 'committed.box.wasm');
    const run = await cli(['run', '--commit', committed, output]);
    expect(run.status).toBe(0);
    const reference = await bare();
    expect(reference.stdout).toMatch(/=== top ===/);
    expect(reference.stdout).toMatch(/Number of cells: +56/);
    expect(run.stdout).toBe(reference.stdout);

    // the netlist and the report land in the box's own filesystem
    const files = new Map(decodeImage(configSegments(readFileSync(committed), 'vfs')!).map((e) => [e.path, e]));
    expect(new TextDecoder().decode(files.get('/out/stat.txt')?.data)).toBe(reference.stat);
    const netlist = JSON.parse(new TextDecoder().decode(files.get('/out/top.json')?.data)) as { modules: Record<string, unknown> };
    expect(Object.keys(netlist.modules)).toContain('top');

    // a second build reuses every layer and writes the same bytes
    const again = await cli(['build', '--cache-dir', cacheDir, '-o', join(work, 'again.box.wasm'), here]);
    expect(again.status).toBe(0);
    expect(again.stderr.match(/CACHED/g)).toHaveLength(5);
    expect(again.stderr).toMatch(/every layer from the cache/);
    expect(Buffer.compare(readFileSync(join(work, 'again.box.wasm')), bytes)).toBe(0);
    // Two builds and two runs of a 30 MB program (~15 s alone): the default 60 s ran out at load 16 on 2 cores.
  }, 240_000);
});
