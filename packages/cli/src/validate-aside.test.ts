// box-link's read into shared memory and its validation on a worker thread:
// the same bytes and the same one-line errors as readInput, the same answers
// as WebAssembly.validate.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASIDE_MIN_BYTES, readShared, validateHere, validatorAhead, validatorFor, workerAhead } from './validate-aside.ts';

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
// decodes, and the engine refuses it: i32.add with nothing on the stack
const invalid = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0x6a, 0x0b]);
const work = mkdtempSync(join(tmpdir(), 'validate-aside-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function shared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

describe('readShared', () => {
  it('reads a file whole into a SharedArrayBuffer', async () => {
    const path = join(work, 'hello.wasm');
    writeFileSync(path, hello);
    const bytes = await readShared('box-link', path);
    expect(bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(bytes).equals(hello)).toBe(true);
  });

  it("says what readInput says for a missing file and for a directory", async () => {
    await expect(readShared('box-link', join(work, 'nope.wasm'))).rejects.toThrow(/^box-link: cannot read .*nope\.wasm: no such file$/);
    await expect(readShared('box-link', work)).rejects.toThrow(/^box-link: cannot read .*: is a directory$/);
  });

  it('reads a FIFO from its one open: a writer that wrote and closed leaves nothing for a second open to wait on', () => {
    // Each round: a writer opens the FIFO (waiting for the reader), writes and closes at once.
    // Opening the path again after that open waits for a writer that never comes: a hang.
    const fifo = join(work, 'fifo.wasm');
    execFileSync('mkfifo', [fifo]);
    const module = new URL('./validate-aside.ts', import.meta.url).href;
    const writer = `require('node:fs').writeFileSync(${JSON.stringify(fifo)}, Buffer.alloc(40000, 7))`;
    const script = `import { spawn } from 'node:child_process'; import { readShared } from ${JSON.stringify(module)};
      for (let i = 0; i < 8; i++) {
        const w = spawn(process.execPath, ['-e', ${JSON.stringify(writer)}], { stdio: 'ignore' });
        const bytes = await readShared('box-link', ${JSON.stringify(fifo)});
        await new Promise((done) => w.on('exit', done));
        if (bytes.length !== 40000 || bytes.some((b) => b !== 7)) throw new Error('read ' + bytes.length + ' bytes');
      }
      console.log('read');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout, r.stderr).toBe('read\n');
  });

  it('reads an empty file (and anything whose size fstat does not give) as readInput does', async () => {
    const path = join(work, 'empty.wasm');
    writeFileSync(path, '');
    expect((await readShared('box-link', path)).length).toBe(0);
  });
});

describe('validatorAhead', () => {
  it('keeps no process alive with a worker it was never given work for (a command that failed first)', () => {
    const module = new URL('./validate-aside.ts', import.meta.url).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { validatorAhead } from ${JSON.stringify(module)}; validatorAhead(); console.log('ended');`], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('ended\n');
  });

  it('the worker answers what WebAssembly.validate answers (not a fallback to this thread)', async () => {
    for (const [bytes, valid] of [[hello, true], [invalid, false]] as const) expect(await workerAhead().ask(shared(bytes))).toBe(valid);
  });

  it('the worker told the program\'s size answers for the bytes it is handed, of that size or another, or a size it cannot hold', async () => {
    // told the size, it validates its own copy of the bytes; handed another size (a file that changed), the bytes themselves
    for (const told of [hello.length, invalid.length, Number.MAX_SAFE_INTEGER]) {
      for (const [bytes, valid] of [[hello, true], [invalid, false]] as const) expect(await workerAhead(told).ask(shared(bytes))).toBe(valid);
    }
  });

  it('the worker answers under --input-type=module too (eval\'d worker code then runs as a module)', () => {
    const module = new URL('./validate-aside.ts', import.meta.url).href;
    const script = `import { workerAhead } from ${JSON.stringify(module)};
      const b = new Uint8Array(new SharedArrayBuffer(8)); b.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
      console.log(await workerAhead().ask(b));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout, r.stderr).toBe('true\n');
  });

  it('answers what WebAssembly.validate answers, on a worker for shared bytes and here for others', async () => {
    for (const [bytes, valid] of [[hello, true], [invalid, false]] as const) {
      expect(await validatorAhead()(shared(bytes))).toBe(valid);
      expect(await validatorAhead()(new Uint8Array(bytes))).toBe(valid);
    }
  });
});

describe('validatorFor', () => {
  it('validates a small program here and gives a large regular file to a worker', async () => {
    const small = join(work, 'small.wasm');
    writeFileSync(small, hello);
    expect(validatorFor(small)).toBe(validateHere);
    // a directory, a missing path: here (readShared reports them)
    expect(validatorFor(work)).toBe(validateHere);
    expect(validatorFor(join(work, 'missing.wasm'))).toBe(validateHere);
    const large = join(work, 'large.wasm');
    writeFileSync(large, new Uint8Array(ASIDE_MIN_BYTES));
    const aside = validatorFor(large);
    expect(aside).not.toBe(validateHere);
    for (const [bytes, valid] of [[hello, true], [invalid, false]] as const) {
      expect(await validateHere(shared(bytes))).toBe(valid);
    }
    expect(await aside(shared(invalid))).toBe(false);
  });
});
