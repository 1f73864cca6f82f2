// Clocks, random, argv, environment, poll_oneoff and exit: a box with the
// clock (host mode) and proc capabilities gives exactly the output and exit
// code the bare program gives under node:wasi, given the same run-time args
// and environment.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { afterAll, describe, expect, it } from 'vitest';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { runBox } from '@marcotte/runtime';

const work = mkdtempSync(join(tmpdir(), 'core-conformance-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function captured(run: (stdout: number) => Promise<number>) {
  const path = join(work, `out-${Math.random()}`);
  const fd = openSync(path, 'w');
  try {
    return { exitCode: await run(fd), stdout: readFileSync(path, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

describe('clock_proc', () => {
  const program = readFileSync(new URL('./clock_proc.wasm', import.meta.url));
  const args = ['one', 'two words'];
  const env = { LANG: 'C', ZONE: 'box' };

  it('matches node:wasi with the clock in host mode', async () => {
    const bare = await captured(async (stdout) => {
      const wasi = new WASI({ version: 'preview1', args: ['clock_proc', ...args], env, returnOnExit: true, stdout });
      return wasi.start(await WebAssembly.instantiate(await WebAssembly.compile(program), wasi.getImportObject() as WebAssembly.Imports));
    });
    const box = link(program, { capabilities: [kernel, clock, proc], entrypoint: 'clock_proc', args: ['baked'], env: ['ZONE=baked', 'BAKED=1'], clock: 'host', random: 'host' }).bytes;
    const boxed = await captured(async (stdout) => (await runBox(box, { args, env, stdout })).exitCode);
    expect(bare.exitCode).toBe(7);
    expect(bare.stdout).toMatch(/poll 20ms: ok events 1 userdata 41 type 0 error ok slept enough/);
    // the box's environment is the baked one overridden by the run-time one
    const expected = bare.stdout.replace('env 0: LANG=C\nenv 1: ZONE=box\n', 'env 0: BAKED=1\nenv 1: LANG=C\nenv 2: ZONE=box\n');
    expect(boxed).toEqual({ exitCode: 7, stdout: expected });
  });

  it('answers from virtual time with --clock fixed, without the host', async () => {
    const box = link(program, { capabilities: [kernel, clock, proc], entrypoint: 'clock_proc', args: [], env: [], clock: 'fixed:2030-01-01T00:00:00Z', random: 'seed:7' }).bytes;
    const a = await captured(async (stdout) => (await runBox(box, { args, stdout })).exitCode);
    const b = await captured(async (stdout) => (await runBox(box, { args, stdout })).exitCode);
    expect(a).toEqual(b);
    expect(a.stdout).toMatch(/poll 20ms: ok events 1 userdata 41 type 0 error ok slept enough/);
    expect(a.stdout).toMatch(/poll 5ms vs forever: ok events 1 first 43/);
  });
});
