// A box reaches only what its import section gives it, whatever it carries
// besides: each test here is an attack that once worked (issue 16), run
// through the CLI as a user runs boxes, against a canary outside the box.

import { spawnSync } from 'node:child_process';
import { cliInProcess } from './cli-harness.ts';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeParts, encodeParts, findCustomSection, moduleImports, PARTS_SECTION } from '@marcotte/abi';
import { readModule, writeModule } from '@marcotte/linker';

const root = new URL('../../../', import.meta.url).pathname;
const program = (name: string) => join(root, 'conformance/programs', `${name}.wasm`);
const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-authority-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(name: 'box' | 'box-link', args: string[], stdout?: number) {
  const r = spawnSync(process.execPath, [bin(name), ...args], {
    cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE }, timeout: 60_000,
    stdio: stdout === undefined ? undefined : ['ignore', stdout, 'pipe'],
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * `box run` in this process (cli-harness.ts: the box's stdio on files), for the attacks on what
 * a box may reach; those on the process (signals) or on the user's own stdout fd stay spawned.
 */
const boxRun = (args: string[]) => cliInProcess('box', ['run', ...args]);

/** Links through the bundle's main() in this process (cli-harness.ts): linking is not what these tests check. */
async function linked(name: string, flags: string[], out = join(work, `${name}.box.wasm`)): Promise<string> {
  const r = await cliInProcess('box-link', [...flags, '-o', out, program(name)]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return out;
}

/** The module with its custom section `name` replaced by (or given) `bytes`. */
function withSection(bytes: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const module = readModule(bytes);
  module.customs = module.customs.filter((c) => c.name !== name);
  module.customs.push({ name, bytes: payload, after: 0xff });
  return writeModule(module);
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A bare program dressed as a box: a manifest that honestly lists its imports, and no capability at all. */
function forged(name: string): string {
  const bytes = readFileSync(program(name));
  const hostImports = moduleImports(bytes).map((i) => i.name);
  // Every field the manifest's schema requires (abi/src/box.ts), filled in as a linker would for a bare program.
  const manifest = {
    format: 1, capabilities: {}, entrypoint: name, args: [], env: [], hostImports,
    hostImportsBy: Object.fromEntries(hostImports.map((f) => [f, ['app']])), sizes: {}, served: Object.fromEntries(hostImports.map((f) => [f, 'host'])),
  };
  const out = join(work, `${name}.forged.box.wasm`);
  writeFileSync(out, withSection(bytes, 'box', json(manifest)));
  return out;
}

describe('proc_raise never reaches the host process', () => {
  // SIGUSR1 would open Node's inspector (code execution for any local process), SIGSTOP freeze
  // box run past its timeout, SIGHUP/SIGKILL end it: the program raises all 30 in turn.
  const expected = `${Array.from({ length: 30 }, (_, i) => `${i + 1}:52`).join('\n')}\nalive\n`;
  it.each([
    ['no capabilities', []],
    ['proc', ['--proc']],
    ['as box build links (fs, proc, clock)', ['--fs', '--proc', '--clock', 'host']],
    ['every --deny class', ['--deny', 'fs', '--deny', 'net', '--deny', 'proc', '--deny', 'clock', '--deny', 'random']],
    ['sealed', ['--sealed']],
    ['traced', ['--trace']],
  ])('linked with %s: ENOSYS for every signal, and box run lives on', async (_, flags) => {
    const box = await linked('raise_all', flags);
    const r = cli('box', ['run', box]);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe(expected);
    expect(r.stderr).not.toMatch(/Debugger listening/);
    expect(r.status).toBe(0);
  });

  it.each(['static', 'dynamic'])('in a portable box, %s mode', async (mode) => {
    const box = await linked('raise_all', ['--portable'], join(work, 'raise_all.portable.box.wasm'));
    const r = cli('box', ['run', '--mode', mode, box]);
    expect({ signal: r.signal, status: r.status, stdout: r.stdout }).toEqual({ signal: null, status: 0, stdout: expected });
  });

  it('in a box that imports proc_raise itself (no linker, a forged manifest): the runtime answers ENOSYS', () => {
    const box = forged('raise_all');
    expect(moduleImports(readFileSync(box)).map((i) => i.name)).toContain('proc_raise');
    const r = cli('box', ['run', box]);
    expect({ signal: r.signal, status: r.status, stdout: r.stdout }).toEqual({ signal: null, status: 0, stdout: expected });
  });
});

describe('authority is computed from the import section', () => {
  it('inspect refuses a box whose manifest claims less than it imports, and run refuses to start it (125)', async () => {
    const box = await linked('dir_dump', ['--proc'], join(work, 'dd.box.wasm'));
    const bytes = readFileSync(box);
    const manifest = JSON.parse(new TextDecoder().decode(findCustomSection(bytes, 'box')!));
    const lie = { ...manifest, sealed: true, hostImports: ['fd_read', 'fd_write', 'proc_exit'], hostImportsBy: { fd_read: ['kernel'], fd_write: ['kernel'], proc_exit: ['app'] } };
    const liar = join(work, 'liar.box.wasm');
    writeFileSync(liar, withSection(bytes, 'box', json(lie)));

    const inspect = await cliInProcess('box', ['inspect', liar]);
    expect(inspect.status).toBe(2);
    expect(inspect.stderr).toMatch(/^box inspect: .*liar\.box\.wasm: the box is damaged: its manifest does not match its import section: it imports .*path_open/);
    expect(inspect.stdout).toBe('');

    const canary = join(work, 'canary');
    mkdirSync(canary, { recursive: true });
    writeFileSync(join(canary, 'secret.txt'), 'the canary\n');
    const run = await boxRun(['--dir', `${canary}:/data`, liar, '/data']);
    expect(run.status).toBe(125);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/the box is damaged/);
    expect(run.stdout).not.toMatch(/canary/);
  });

  it('inspect lists what the module imports, grouped by the parts that call it', async () => {
    const box = await linked('dir_dump', ['--proc'], join(work, 'dd2.box.wasm'));
    const r = await cliInProcess('box', ['inspect', '--json', box]);
    expect(r.status).toBe(0);
    const shown = Object.values(JSON.parse(r.stdout).authority as Record<string, string[]>).flat();
    const imported = moduleImports(readFileSync(box)).map((i) => i.name);
    expect(new Set(shown)).toEqual(new Set(imported));
  });

  it('a rewritten box.parts section gains nothing in dynamic mode: the host grants only what the box imports', async () => {
    const canary = join(work, 'canary2');
    mkdirSync(canary, { recursive: true });
    writeFileSync(join(canary, 'secret.txt'), 'the canary\n');
    const box = await linked('dir_dump', ['--sealed', '--portable'], join(work, 'sealed.box.wasm'));
    const bytes = readFileSync(box);
    // The static box imports no host path function; its parts say the same through `denied`.
    expect(moduleImports(bytes).map((i) => i.name).filter((n) => n.startsWith('path_') || n.startsWith('fd_prestat'))).toEqual([]);
    const parts = decodeParts(findCustomSection(bytes, PARTS_SECTION)!);
    const tampered = join(work, 'tampered.box.wasm');
    writeFileSync(tampered, withSection(bytes, PARTS_SECTION, encodeParts({ ...parts, denied: [] })));
    for (const args of [['--mode', 'dynamic'], ['--trace']]) {
      const r = await boxRun([...args, '--dir', `${canary}:/data`, tampered, '/data']);
      expect(r.stdout + r.stderr).not.toMatch(/the canary/);
      expect(r.stdout).not.toMatch(/secret\.txt/);
    }
  });
});

describe('dynamic mode runs only the parts the box was linked from', () => {
  it('refuses (125) a portable box whose box.parts program was swapped, and still runs the untouched box', async () => {
    const box = await linked('dir_dump', ['--portable', '--fs'], join(work, 'swap.box.wasm'));
    const bytes = readFileSync(box);
    const parts = decodeParts(findCustomSection(bytes, PARTS_SECTION)!);
    const swapped = join(work, 'swapped.box.wasm');
    writeFileSync(swapped, withSection(bytes, PARTS_SECTION, encodeParts({ ...parts, program: readFileSync(program('raise_all')) })));
    const r = await boxRun(['--mode', 'dynamic', swapped, '/']);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/^box run: the box is damaged: its parts are not what it was linked from/);
    expect(r.stdout).toBe('');
    expect((await boxRun(['--mode', 'dynamic', box, '/'])).status).toBe(0);
  });
});

describe('stdio is a stream the box cannot truncate, seek or overfill', () => {
  /** A user's log file with a line in it, opened for appending as `>> app.log` opens it. */
  function appendLog(): { path: string; fd: number } {
    const path = join(work, `app-${Math.random().toString(36).slice(2)}.log`);
    writeFileSync(path, 'the user\'s log\n');
    return { path, fd: openSync(path, 'a') };
  }

  const refusedByKernel = { fd_filestat_set_size: 76, fd_seek: 76, fd_tell: 76, fd_allocate: 76, fd_filestat_set_times: 76, fd_pwrite: 76 };
  const refusedByHost = { fd_filestat_set_size: 76, fd_seek: 70, fd_tell: 70, fd_allocate: 70, fd_filestat_set_times: 76, fd_pwrite: 70 };
  it.each([
    ['linked: the kernel gives stdio no such rights (ENOTCAPABLE)', () => linked('stdio_abuse', ['--proc']), refusedByKernel],
    ['forged, importing the calls itself: the host refuses them (ESPIPE, ENOTCAPABLE)', () => forged('stdio_abuse'), refusedByHost],
  ])('%s, and `>> app.log` keeps the user\'s bytes', async (_, make, answers) => {
    const box = await make();
    const log = appendLog();
    const r = cli('box', ['run', box, 'rights'], log.fd);
    closeSync(log.fd);
    const got = Object.fromEntries(r.stderr.trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
    expect(got).toEqual(answers);
    expect(readFileSync(log.path, 'utf8')).toBe('the user\'s log\n');
    expect(r.status).toBe(0);
  });

  it.each([
    ['linked', () => linked('stdio_abuse', ['--proc'], join(work, 'iov.box.wasm'))],
    ['forged', () => forged('stdio_abuse')],
  ])('%s: one fd_write of 1000 x 1 MiB iovecs puts nothing past --max-output 1k', async (_, make) => {
    const box = await make();
    const log = appendLog();
    const r = cli('box', ['run', '--max-output', '1k', box, 'iovecs', '1000'], log.fd);
    closeSync(log.fd);
    expect(r.status).toBe(137);
    expect(r.stderr).toMatch(/output limit of 1024 bytes reached/);
    expect(statSync(log.path).size).toBeLessThanOrEqual(15 + 1024);
  });
});
