// readInput, how box-link (and box run, inspect, export) read their input file:
// the file's bytes, one line for a file that cannot be read, and a FIFO read from
// its one open.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInput } from './io.ts';

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'io-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('readInput', () => {
  it('reads a file whole', async () => {
    const path = join(work, 'hello.wasm');
    writeFileSync(path, hello);
    expect(Buffer.from(await readInput('box-link', path)).equals(hello)).toBe(true);
  });

  it('says in one line why a missing file or a directory cannot be read', async () => {
    await expect(readInput('box-link', join(work, 'nope.wasm'))).rejects.toThrow(/^box-link: cannot read .*nope\.wasm: no such file$/);
    await expect(readInput('box-link', work)).rejects.toThrow(/^box-link: cannot read .*: is a directory$/);
  });

  it('reads a FIFO from its one open: a writer that wrote and closed leaves nothing for a second open to wait on', () => {
    // Each round: a writer opens the FIFO (waiting for the reader), writes and closes at once.
    // Opening the path again after that open would wait for a writer that never comes: a hang.
    const fifo = join(work, 'fifo.wasm');
    execFileSync('mkfifo', [fifo]);
    const module = new URL('./io.ts', import.meta.url).href;
    const writer = `require('node:fs').writeFileSync(${JSON.stringify(fifo)}, Buffer.alloc(40000, 7))`;
    const script = `import { spawn } from 'node:child_process'; import { readInput } from ${JSON.stringify(module)};
      for (let i = 0; i < 8; i++) {
        const w = spawn(process.execPath, ['-e', ${JSON.stringify(writer)}], { stdio: 'ignore' });
        const bytes = await readInput('box-link', ${JSON.stringify(fifo)});
        await new Promise((done) => w.on('exit', done));
        if (bytes.length !== 40000 || bytes.some((b) => b !== 7)) throw new Error('read ' + bytes.length + ' bytes');
      }
      console.log('read');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout, r.stderr).toBe('read\n');
  });

  it('reads an empty file as no bytes', async () => {
    const path = join(work, 'empty.wasm');
    writeFileSync(path, '');
    expect((await readInput('box-link', path)).length).toBe(0);
  });
});
