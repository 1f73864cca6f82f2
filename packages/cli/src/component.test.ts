import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentNew, parse } from '@bytecodealliance/jco';
import { FUNCTIONS } from '@marcotte/abi';
import { boxComponent, commandAdapter, componentImports } from './component.ts';
import { transpiled, type ComponentRun } from '../test/component-host.ts';

const root = new URL('../../../', import.meta.url).pathname;
const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-component-test-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(name: 'box' | 'box-link', args: string[]) {
  const r = spawnSync(process.execPath, [bin(name), ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: { status: number | null; stderr: string }, pattern: RegExp) {
  expect(r.status).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('box export --component: bad input is one line and exit 2', () => {
  it.each([
    ['a WASI program that is not a box', () => join(root, 'examples/hello/hello.wasm'), /hello\.wasm: not a box/],
    ['a file that is not WebAssembly', () => join(root, 'README.md'), /README\.md: not a WebAssembly module/],
    ['a damaged box (cut short)', () => {
      const box = join(work, 'whole.box.wasm');
      expect(cli('box-link', ['-o', box, join(root, 'examples/hello/hello.wasm')]).status).toBe(0);
      const cut = join(work, 'cut.box.wasm');
      writeFileSync(cut, readFileSync(box).subarray(0, 3000));
      return cut;
    }, /cut\.box\.wasm: .*(runs past|malformed|not a box)/],
    ['a multi-memory box (the default link)', () => {
      const box = join(work, 'multi.box.wasm');
      expect(cli('box-link', ['-o', box, join(root, 'examples/hello/hello.wasm')]).status).toBe(0);
      return box;
    }, /multi\.box\.wasm: a box with 2 memories cannot become a component .*: link it with --single-memory\n$/],
  ])('%s', (_what, input, pattern) => {
    const out = join(work, 'out.component.wasm');
    rmSync(out, { force: true });
    const r = cli('box', ['export', '--component', out, input()]);
    expectOneLineError(r, pattern);
    expect(existsSync(out)).toBe(false);
  });

  it('takes one export at a time, and no --oci option', () => {
    const box = join(root, 'examples/hello/hello.wasm');
    expectOneLineError(cli('box', ['export', '--component', 'a.wasm', '--oci', 'a.tar', box]), /--oci and --component are two exports/);
    expectOneLineError(cli('box', ['export', '--component', 'a.wasm', '--layer', 'tar', box]), /--layer is an --oci option/);
    expectOneLineError(cli('box', ['export', box]), /--oci OUT\.tar or --component OUT\.wasm is required/);
  });
});

/** A preview1 command importing only `names`, with one memory: what the adapter sees of a box that imports them. */
async function moduleImporting(names: string[]): Promise<Uint8Array> {
  const imports = names.map((name) => {
    const f = FUNCTIONS.find((fn) => fn.name === name)!;
    const results = f.results.length ? `(result ${f.results.join(' ')})` : '';
    return `(import "wasi_snapshot_preview1" "${name}" (func (param ${f.params.map((p) => p.wasm).join(' ')}) ${results}))`;
  });
  return parse(`(module ${imports.join(' ')} (memory (export "memory") 1) (func (export "_start")))`);
}

/** Interface names without their version, as the README writes them. */
const unversioned = (imports: string[]) => imports.map((i) => i.replace(/@.*/, ''));

/** The README's table: preview1 calls (first cell) -> WASI 0.2 interfaces (second cell), each in backticks. */
function readmeMapping(): Map<string, string[]> {
  const section = readme.slice(readme.indexOf('| preview1 call |'));
  const rows = section.slice(0, section.indexOf('\n\n')).split('\n').slice(2);
  const map = new Map<string, string[]>();
  for (const row of rows) {
    const [calls, interfaces] = row.split('|').slice(1, 3).map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    for (const call of calls!) map.set(call, interfaces!.filter((i) => i.startsWith('wasi:')).sort());
  }
  return map;
}

describe("what the adapter imports for each preview1 call (the README's table)", () => {
  it('matches what wit-component keeps of the adapter for a module importing that call alone', async () => {
    const adapter = [['wasi_snapshot_preview1', await commandAdapter()]] as [string, Uint8Array][];
    const always = unversioned(await componentImports(await componentNew(await moduleImporting([]), adapter)));
    expect(always).toEqual(['wasi:cli/stderr', 'wasi:io/error', 'wasi:io/streams']);
    expect(readme).toContain('`wasi:cli/stderr`, `wasi:io/error` and `wasi:io/streams`, always');
    const documented = readmeMapping();
    expect([...documented.keys()].sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    for (const f of FUNCTIONS) {
      const imports = unversioned(await componentImports(await componentNew(await moduleImporting([f.name]), adapter)));
      expect({ call: f.name, imports: documented.get(f.name) }).toEqual({ call: f.name, imports: imports.filter((i) => !always.includes(i)) });
    }
  });
});

describe('preview1 calls the adapter cannot carry (the README list), made by a program', () => {
  let run: (options: { args: string[]; preopens?: Record<string, string> }) => ComponentRun;
  let dir: string;
  beforeAll(async () => {
    const probe = readFileSync(new URL('../fixtures/adapter-probe/probe.wasm', import.meta.url));
    run = await transpiled((await boxComponent(probe)).bytes);
    dir = mkdtempSync(join(work, 'probe-'));
  });

  it.each(['proc_raise', 'sock_accept', 'sock_recv', 'sock_send'])('%s traps (the adapter says unreachable)', (call) => {
    const r = run({ args: ['probe', call] });
    // the adapter says where on stderr, then traps
    expect(r.stderr).toMatch(/^unreachable executed at adapter line \d+\ntrap: /);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(134);
  });

  it.each([
    ['fd_fdstat_set_rights', 58], // ENOTSUP: preview 2 has no rights
    ['sock_shutdown', 57], // ENOTSOCK: the adapter's descriptors are never sockets
    ['sched_yield', 0], // a no-op
    ['clock_time_get', 8], // EBADF for the CPU-time clocks
    ['clock_res_get', 8],
    ['poll_oneoff', 28], // EINVAL for no subscriptions (an indefinite sleep)
  ])('%s returns errno %i', (call, errno) => {
    const r = run({ args: ['probe', call] });
    expect(r).toEqual({ status: 0, stdout: `${call}: ${errno}\n`, stderr: '' });
  });

  it('fd_allocate on a file in a preopened directory returns ENOTSUP (58)', () => {
    const r = run({ args: ['probe', 'fd_allocate', '/out/file'], preopens: { '/out': dir } });
    expect(r).toEqual({ status: 0, stdout: 'fd_allocate: 58\n', stderr: '' });
    expect(readFileSync(join(dir, 'file'))).toHaveLength(0);
  });

  it.each([[0, 0], [1, 1], [3, 1], [125, 1]])('proc_exit(%i) reaches the host as exit code %i', (code, status) => {
    const r = run({ args: ['probe', 'proc_exit', String(code)] });
    expect(r).toEqual({ status, stdout: '', stderr: '' });
  });

  it('is the list the README gives', () => {
    const start = readme.indexOf('| call | in the adapter |');
    const table = readme.slice(start, readme.indexOf('\n\n', start));
    const listed = table.split('\n').slice(2).flatMap((row) => [...row.split('|')[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]));
    expect(listed.sort()).toEqual(['clock_res_get', 'clock_time_get', 'fd_allocate', 'fd_fdstat_set_rights', 'poll_oneoff', 'proc_exit', 'proc_raise',
      'sched_yield', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown']);
  });
});
