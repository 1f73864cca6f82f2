import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentNew, parse } from '@bytecodealliance/jco';
import { decodeParts, encodeParts, FUNCTIONS, PARTS_SECTION } from '@marcotte/abi';
import { link, readModule, writeModule } from '@marcotte/linker';
import { imageFromDirectory } from '@marcotte/vfs';
import { CAPABILITIES } from './capabilities.ts';
import { cliInProcess as inProcess } from './cli-harness.ts';
import { boxComponent, commandAdapter, componentImports } from './component.ts';
import { transpiled, type ComponentRun, type RunOptions } from '../test/component-host.ts';

const root = new URL('../../../', import.meta.url).pathname;
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-component-test-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `box run` in this process (cli-harness.ts: the box's stdio on files), as the other commands. */
const boxRun = (args: string[]) => inProcess('box', ['run', ...args]);

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
    ['a damaged box (cut short)', async () => {
      const box = join(work, 'whole.box.wasm');
      expect((await inProcess('box-link', ['-o', box, join(root, 'examples/hello/hello.wasm')])).status).toBe(0);
      const cut = join(work, 'cut.box.wasm');
      writeFileSync(cut, readFileSync(box).subarray(0, 3000));
      return cut;
    }, /cut\.box\.wasm: .*(runs past|malformed|not a box)/],
    ['a multi-memory box (the default link)', async () => {
      const box = join(work, 'multi.box.wasm');
      expect((await inProcess('box-link', ['-o', box, join(root, 'examples/hello/hello.wasm')])).status).toBe(0);
      return box;
    }, /multi\.box\.wasm: a box with 2 memories cannot become a component .*: link it with --single-memory\n$/],
  ])('%s', async (_what, input, pattern) => {
    const out = join(work, 'out.component.wasm');
    rmSync(out, { force: true });
    const r = await inProcess('box', ['export', '--component', out, await input()]);
    expectOneLineError(r, pattern);
    expect(existsSync(out)).toBe(false);
  });

  it('takes one export at a time, and no --oci option', async () => {
    const box = join(root, 'examples/hello/hello.wasm');
    const [a, tar] = [join(work, 'a.wasm'), join(work, 'a.tar')];
    expectOneLineError(await inProcess('box', ['export', '--component', a, '--oci', tar, box]), /--oci and --component are two exports/);
    expectOneLineError(await inProcess('box', ['export', '--component', a, '--layer', 'tar', box]), /--layer is an --oci option/);
    expectOneLineError(await inProcess('box', ['export', box]), /--oci OUT\.tar is required \(or --component OUT\.wasm\)/);
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

// The cases below each wait on child Nodes (a component run, under jco's shim): they run concurrently.
describe.concurrent('preview1 calls the adapter cannot carry (the README list), made by a program', () => {
  let run: (options: RunOptions) => Promise<ComponentRun>;
  let dir: string;
  beforeAll(async () => {
    const probe = readFileSync(new URL('../fixtures/adapter-probe/probe.wasm', import.meta.url));
    run = await transpiled((await boxComponent(probe)).bytes, work);
    dir = mkdtempSync(join(work, 'probe-'));
  });

  it.for(['proc_raise', 'sock_accept', 'sock_recv', 'sock_send'])('%s traps (the adapter says unreachable)', async (call, { expect }) => {
    const r = await run({ args: ['probe', 'sched_yield', call, 'sched_yield'] });
    // the adapter says where on stderr, then traps: the run ends at the call
    expect(r.stderr).toMatch(/^unreachable executed at adapter line \d+\ntrap: /);
    expect(r.stdout).toBe('sched_yield: 0\n');
    expect(r.status).toBe(134);
  });

  it('returns an errno for the rest: each call in turn, in one run', async ({ expect }) => {
    const r = await run({ args: ['probe', 'fd_fdstat_set_rights', 'sock_shutdown', 'sched_yield', 'clock_time_get', 'clock_res_get', 'poll_oneoff', 'fd_allocate'], preopens: { '/out': dir } });
    expect(r).toEqual({
      status: 0,
      stderr: '',
      stdout: [
        'fd_fdstat_set_rights: 58', // ENOTSUP: preview 2 has no rights
        'sock_shutdown: 57', // ENOTSOCK: the adapter's descriptors are never sockets
        'sched_yield: 0', // a no-op
        'clock_time_get: 8', // EBADF for the CPU-time clocks
        'clock_res_get: 8',
        'poll_oneoff: 28', // EINVAL for no subscriptions (an indefinite sleep)
        'fd_allocate: 58', // ENOTSUP on a file in a preopened directory
        '',
      ].join('\n'),
    });
    expect(readFileSync(join(dir, 'file'))).toHaveLength(0);
  });

  it.for([[0, 0], [1, 1], [3, 1]])('proc_exit(%i) reaches the host as exit code %i', async ([code, status], { expect }) => {
    const r = await run({ args: ['probe', 'sched_yield', 'proc_exit', String(code)] });
    expect(r).toEqual({ status, stdout: 'sched_yield: 0\n', stderr: '' });
  });

  it('lets the bare program (no box) store above its memory, where the adapter grows it', async ({ expect }) => {
    // the contrast to the single-memory box below, whose program traps there
    const r = await run({ args: ['probe', 'poke', String(2 * 65536 + 16), 'sched_yield'] });
    expect(r).toEqual({ status: 0, stdout: 'poke: 0\nsched_yield: 0\n', stderr: '' });
  });

  it("takes a 40 KB argument, and traps at start on a 60 KB one (the adapter's arena)", async ({ expect }) => {
    expect((await run({ args: ['probe', 'sched_yield', 'x'.repeat(40_000)] })).stdout).toBe('sched_yield: 0\n');
    const r = await run({ args: ['probe', 'sched_yield', 'x'.repeat(60_000)] });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^unreachable executed at adapter line \d+: allocation size is too large\n+trap: /);
  });

  it('is the list the README gives', ({ expect }) => {
    const start = readme.indexOf('| call | in the adapter |');
    const table = readme.slice(start, readme.indexOf('\n\n', start));
    const listed = table.split('\n').slice(2).flatMap((row) => [...row.split('|')[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]));
    expect(listed.sort()).toEqual(['clock_res_get', 'clock_time_get', 'fd_allocate', 'fd_fdstat_set_rights', 'poll_oneoff', 'proc_exit', 'proc_raise',
      'sched_yield', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown']);
  });
});

/** A single-memory box of `program` (the linker's singleMemory), written where the CLI can read it. */
function singleMemoryBox(name: string, program: string, options: Partial<Parameters<typeof link>[1]> & { caps: string[] }): string {
  const { caps, ...rest } = options;
  const { bytes } = link(readFileSync(join(root, program)), {
    capabilities: CAPABILITIES.filter((c) => caps.includes(c.name)), entrypoint: program.split('/').at(-1)!, args: [], env: [],
    singleMemory: true, ...rest,
  });
  const path = join(work, `${name}.box.wasm`);
  writeFileSync(path, bytes);
  return path;
}

/** `box export --component` of a box, transpiled once for the runs that follow. */
async function exported(box: string) {
  const out = `${box.replace(/\.box\.wasm$/, '')}.component.wasm`;
  const r = await inProcess('box', ['export', '--component', out, box]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const imports = r.stdout.replace(/^component imports: /, '').trim().split(', ');
  return { imports, run: await transpiled(readFileSync(out), work) };
}

/** Every file under `dir`, path -> contents (directories as "/"). */
function tree(dir: string, at = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, at), { withFileTypes: true })) {
    const path = `${at}/${e.name}`;
    if (e.isDirectory()) Object.assign(out, { [path]: '/' }, tree(dir, path));
    else out[path] = readFileSync(join(dir, path), 'utf8');
  }
  return out;
}

// Concurrent too: each case waits on its component runs (child Nodes); its links and `box run`s are in
// this process, and the harness (cli-harness.ts) runs those one at a time.
describe.concurrent('a single-memory box as a component under jco, beside box run of the same box', () => {
  describe('examples/hello', () => {
    let box: string;
    let component: Awaited<ReturnType<typeof exported>>;
    const data = join(root, 'examples/hello/data');
    beforeAll(async () => {
      box = singleMemoryBox('hello', 'examples/hello/hello.wasm', { caps: ['kernel', 'proc'], env: ['GREETING=Hoi'] });
      component = await exported(box);
    });

    it('imports what its calls need, and no clock, random or socket interface', ({ expect }) => {
      expect(unversioned(component.imports)).toEqual([
        'wasi:cli/environment', 'wasi:cli/exit', 'wasi:cli/stderr', 'wasi:cli/stdin', 'wasi:cli/stdout',
        'wasi:cli/terminal-input', 'wasi:cli/terminal-output', 'wasi:cli/terminal-stderr', 'wasi:cli/terminal-stdin', 'wasi:cli/terminal-stdout',
        'wasi:clocks/wall-clock', 'wasi:filesystem/preopens', 'wasi:filesystem/types', 'wasi:io/error', 'wasi:io/streams',
      ]);
    });

    it('prints the same and exits 0, with args, env over the baked env, and a host directory', async ({ expect }) => {
      const boxed = await boxRun(['--dir', `${data}:/data`, '-e', 'GREETING=Hallo', box, 'one', 'two words']);
      // argv[0] is the box's entrypoint either way: proc puts it there
      const adapted = await component.run({ args: ['anything.wasm', 'one', 'two words'], env: { GREETING: 'Hallo' }, preopens: { '/data': data } });
      expect(boxed.status).toBe(0);
      expect(boxed.stdout).toMatch(/^Hallo from inside a box!\nargv\[0\] = hello\.wasm\nargv\[1\] = one\nargv\[2\] = two words\n.*name\.txt/s);
      expect(adapted).toEqual(boxed);
    });

    it('fails the same way, exit 1, without the directory', async ({ expect }) => {
      const boxed = await boxRun([box]);
      const adapted = await component.run({ args: ['hello.wasm'] });
      expect(boxed.status).toBe(1);
      expect(boxed.stderr).toMatch(/^hello: cannot list \/data: /);
      expect(adapted).toEqual(boxed);
    });
  });

  it('writes the same files to a host directory (conformance dir_dump with OUT)', async ({ expect }) => {
    const box = singleMemoryBox('dir_dump', 'conformance/programs/dir_dump.wasm', { caps: ['kernel', 'proc'] });
    const { run } = await exported(box);
    const seed = (dir: string) => {
      mkdirSync(join(dir, 'sub'), { recursive: true });
      writeFileSync(join(dir, 'a.txt'), 'ay\n');
      writeFileSync(join(dir, 'sub/c.txt'), 'sea\n');
      return dir;
    };
    const forBox = seed(join(work, 'dump-box')), forComponent = seed(join(work, 'dump-component'));
    const boxed = await boxRun(['--dir', `${forBox}:/data`, '-e', 'OUT=new.txt', box, '/data']);
    const adapted = await run({ args: ['dir_dump', '/data'], env: { OUT: 'new.txt' }, preopens: { '/data': forComponent } });
    expect(boxed.status).toBe(0);
    expect(adapted).toEqual(boxed);
    expect(tree(forComponent)).toEqual(tree(forBox));
    expect(tree(forBox)['/new.txt']).toBe('written from a box\n');
  });

  it("keeps the adapter's state, above every region, out of the program's reach", async ({ expect }) => {
    const probe = 'packages/cli/fixtures/adapter-probe/probe.wasm';
    const box = singleMemoryBox('probe', probe, { caps: ['kernel'] });
    const { run } = await exported(box);
    // the adapter grows the memory from its declared size: its state is the first page above
    const adapterState = Number(readModule(readFileSync(box)).memories[0]!.min) * 65536;
    const ok = await run({ args: ['probe', 'sched_yield'] });
    expect(ok).toEqual({ status: 0, stdout: 'sched_yield: 0\n', stderr: '' });
    const attack = await run({ args: ['probe', 'poke', String(adapterState + 16), 'sched_yield'] });
    expect(attack.stdout).toBe('');
    expect(attack.stderr).toMatch(/^trap: /);
    expect(attack.status).toBe(134);
  });

  describe('a --portable box (multi-memory, with its parts)', () => {
    let portable: string;
    beforeAll(async () => {
      portable = join(work, 'portable.box.wasm');
      expect((await inProcess('box-link', ['--portable', '--env', 'GREETING=Port', '-o', portable, join(root, 'examples/hello/hello.wasm')])).status).toBe(0);
    });

    it('is linked again into one memory from its parts, and runs as box run runs the box', async ({ expect }) => {
      const { run } = await exported(portable);
      const data = join(root, 'examples/hello/data');
      const boxed = await boxRun(['--dir', `${data}:/data`, portable, 'x']);
      expect(boxed.status).toBe(0);
      expect(boxed.stdout).toMatch(/^Port from inside a box!\nargv\[0\] = hello\.wasm\nargv\[1\] = x\n/);
      expect(await run({ args: ['hello.wasm', 'x'], preopens: { '/data': data } })).toEqual(boxed);
    });

    it('whose parts hold another program is refused: one line, exit 2, no component', async ({ expect }) => {
      const bytes = readFileSync(portable);
      const module = readModule(bytes);
      const at = module.customs.findIndex((c) => c.name === PARTS_SECTION);
      const parts = decodeParts(module.customs[at]!.bytes);
      // the merged code is hello; the forged parts say args_env (which imports nothing hello does not), and would become the component
      module.customs[at] = { ...module.customs[at]!, bytes: encodeParts({ ...parts, program: readFileSync(join(root, 'conformance/corpus/args_env.wasm')) }) };
      const forged = join(work, 'forged.box.wasm');
      writeFileSync(forged, writeModule(module));
      const out = join(work, 'forged.component.wasm');
      const r = await inProcess('box', ['export', '--component', out, forged]);
      expectOneLineError(r, /forged\.box\.wasm: cannot link its parts into one memory: /);
      expect(existsSync(out)).toBe(false);
    });
  });

  describe('examples/http-server', () => {
    const server = 'examples/http-server/server.wasm';

    it('without a socket: the same line and exit 1 under both', async ({ expect }) => {
      const box = singleMemoryBox('server', server, { caps: ['kernel'] });
      const { run } = await exported(box);
      const boxed = await boxRun([box]);
      expect(boxed).toEqual({ status: 1, stdout: '', stderr: 'http-server: no listening socket (box-link --listen PORT, box run -p HOST:PORT)\n' });
      expect(await run({ args: ['server.wasm'] })).toEqual(boxed);
    });

    it('linked to listen (--listen 8080), the component still has no socket: the adapter carries none', async ({ expect }) => {
      // a smaller memory than the default (see the next test): jco's bindings reach only the first 2 GiB
      const box = singleMemoryBox('server-net', server, {
        caps: ['kernel', 'vfs', 'net'], listen: [8080], image: imageFromDirectory(join(root, 'examples/http-server/www')),
        programMemory: 64 << 20, vfsLimits: { maxPages: 512 },
      });
      const { imports, run } = await exported(box);
      expect(imports.some((i) => i.startsWith('wasi:sockets/'))).toBe(false);
      expect(await run({ args: ['server.wasm'] })).toEqual({
        status: 1, stdout: '', stderr: 'http-server: no listening socket (box-link --listen PORT, box run -p HOST:PORT)\n',
      });
    });

    it('a box whose memory passes 2 GiB is exported with a note that jco cannot run it', async ({ expect }) => {
      const box = singleMemoryBox('server-big', server, { caps: ['kernel', 'vfs', 'net'], listen: [8080] });
      const r = await inProcess('box', ['export', '--component', join(work, 'big.component.wasm'), box]);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/^box export: note: the box's memory starts at \d+ MiB, .* jco's JavaScript bindings cannot address past 2 GiB .*\n$/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  });
});
