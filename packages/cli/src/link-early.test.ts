// box-link's validating worker started before the CLI loads: only for a command
// line naming one large program, handed once to the command for that very
// program, and answering as WebAssembly.validate does once told the size.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASIDE_MIN_BYTES, validateHere, validatorFor } from './validate-aside.ts';
import { startEarly, takeEarly } from './link-early.ts';

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'link-early-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const large = join(work, 'large.wasm');
writeFileSync(large, new Uint8Array(ASIDE_MIN_BYTES));
const small = join(work, 'small.wasm');
writeFileSync(small, hello);

function shared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

describe('startEarly', () => {
  it('starts a worker for one large program, handed once, to the command for that program', () => {
    startEarly(['--fs', '-o', join(work, 'out.box.wasm'), large]);
    expect(takeEarly(join(work, 'other.wasm'))).toBeUndefined();
    // taken for another path, it was ended: nothing is left for this one either
    expect(takeEarly(large)).toBeUndefined();
    startEarly(['--fs', large, '--', 'arg']);
    const early = takeEarly(large);
    expect(early).toBeDefined();
    expect(takeEarly(large)).toBeUndefined();
    early!.drop();
  });

  it('starts nothing for a small program, --help, no program or two, a missing file or bad options', () => {
    for (const argv of [[small], ['--help', large], [], [large, small], [join(work, 'missing.wasm')], ['--no-such-option', large], ['-o']]) {
      startEarly(argv);
      expect(takeEarly(argv.find((a) => a.endsWith('.wasm')) ?? large), argv.join(' ')).toBeUndefined();
    }
  });

  it('its worker, told the size by the command, answers what WebAssembly.validate answers', async () => {
    // a custom section of 4 MiB (named "p") makes a program large enough for a worker; an i32.add on an empty stack makes one invalid
    const padded = (program: Uint8Array) => {
      const out = new Uint8Array(program.length + 5 + (4 << 20));
      out.set(program);
      out.set([0, 0x80, 0x80, 0x80, 0x02, 1, 0x70], program.length);
      return out;
    };
    const invalid = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0x6a, 0x0b]);
    for (const [bytes, valid] of [[padded(hello), true], [padded(invalid), false]] as const) {
      const program = join(work, `program-${valid}.wasm`);
      writeFileSync(program, bytes);
      startEarly([program]);
      const early = takeEarly(program);
      expect(early).toBeDefined();
      const validate = validatorFor(program, early);
      expect(validate).not.toBe(validateHere);
      expect(await validate(shared(bytes))).toBe(valid);
    }
  });

  it('keeps no process alive with a worker it started and nobody asked (a command that failed first)', () => {
    const module = new URL('./link-early.ts', import.meta.url).href;
    const script = `import { startEarly } from ${JSON.stringify(module)}; startEarly([${JSON.stringify(large)}]); console.log('ended');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('ended\n');
  });
});
