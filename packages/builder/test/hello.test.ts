// examples/hello's Dockerfile: the box prints what the bare program prints
// under node:wasi with the same argv, environment and files.

import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { describe, expect, it } from 'vitest';
import { readManifest } from '@marcotte/abi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { buildIn, runCaptured, scratchDir } from './helpers.ts';

const hello = fileURLToPath(new URL('../../../examples/hello/', import.meta.url));

describe('examples/hello: box build', () => {
  it('runs as the bare program does under node:wasi', async () => {
    const r = await buildIn(hello);
    expect(Object.keys(r.manifest.capabilities)).toEqual(['kernel', 'vfs', 'proc']);
    expect(r.manifest.image).toEqual({ files: 2, dirs: 3, symlinks: 0, bytes: 43 });
    const boxed = await runCaptured(r.bytes);
    expect(boxed.exitCode).toBe(0);

    const path = join(scratchDir('hello-'), 'stdout');
    const fd = openSync(path, 'w');
    const wasi = new WASI({
      version: 'preview1', args: ['/bin/hello', 'from a Dockerfile'], env: { GREETING: 'Bonjour' },
      preopens: { '/data': join(hello, 'data') }, returnOnExit: true, stdout: fd,
    });
    const program = readFileSync(join(hello, 'hello.wasm'));
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(program), wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(0);
    closeSync(fd);
    expect(boxed.stdout).toBe(readFileSync(path, 'utf8'));
    expect(boxed.stdout).toMatch(/^Bonjour from inside a box!\nargv\[0\] = \/bin\/hello\nargv\[1\] = from a Dockerfile\n/);
  });

  it('is under 64 KiB (issue 7), with the clock capability linked too', async () => {
    const r = await buildIn(hello);
    expect(r.bytes.length).toBeLessThan(64 * 1024);
    // The capabilities follow the program's imports, and hello reads no clock:
    // linked with the clock capability anyway (fs, proc, clock), it still fits.
    const withClock = link(readFileSync(join(hello, 'hello.wasm')), {
      capabilities: [kernel, clock, vfs, proc], entrypoint: '/bin/hello', args: [], env: [], clock: 'host',
      image: [{ path: '/data', type: 'dir' }, { path: '/data/name.txt', type: 'file', data: readFileSync(join(hello, 'data/name.txt')) }],
    });
    expect(readManifest(withClock.bytes).capabilities).toHaveProperty('clock');
    expect(withClock.bytes.length).toBeLessThan(64 * 1024);
  });
});
