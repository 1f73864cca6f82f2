// examples/hello's Dockerfile: the box prints what the bare program prints
// under node:wasi with the same argv, environment and files.

import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { describe, expect, it } from 'vitest';
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
});
