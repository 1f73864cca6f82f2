import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModule, replaceConfig, writeModule } from '@marcotte/linker';
import { deepChainImage } from '../../vfs/test/harness.ts';
import { readManifest } from '@marcotte/abi';
import { snapshotToTar } from '@marcotte/vfs';
import { cliInProcess as inProcess } from './cli-harness.ts';
import { spawned } from '../test/spawned.ts';

const root = new URL('../../../', import.meta.url).pathname;
const hello = join(root, 'examples/hello/hello.wasm');
const dirDump = join(root, 'conformance/programs/dir_dump.wasm');
const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-cli-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the built CLI (dist/cli.js, as users get it) on this Node. */
function cli(name: 'box' | 'box-link', args: string[], node = process.execPath) {
  const r = spawnSync(node, [bin(name), ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `box run` in this process (cli-harness.ts: the box's stdio on files): for the cases where the
 * process is not what is tested. The bin is spawned (cli above) where its exit status, its
 * stdout and stderr plumbing or its signals are.
 */
const boxRun = (args: string[]) => inProcess('box', ['run', ...args]);

function expectOneLineError(r: { stderr: string }, pattern: RegExp) {
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('box-link usage errors exit 2 with one line', () => {
  it.each([
    [[], /expected one APP\.wasm, got 0/],
    [['--bogus', 'x.wasm'], /unknown option --bogus/],
    [['--env'], /--env needs a value/],
    [['--env', 'NOEQUALS', hello], /--env expects KEY=VALUE/],
    [['missing.wasm'], /cannot read missing\.wasm: no such file/],
    [['--listen', '80x', hello], /--listen expects a port number from 1 to 65535/],
    [['--listen', '80', '--listen', '80', hello], /--listen: each port may be given once/],
    [['--clock', 'fixed:yesterday', hello], /--clock/],
    [['--random', 'seed:-1', hello], /seed/],
    [['--deny', 'gpu', hello], /--deny gpu: unknown capability/],
    [['--deny', 'constructor', hello], /--deny constructor: unknown capability/],
    [['--workdir', 'relative', hello], /--workdir must be an absolute path/],
    [['--image', '/no/such/dir', hello], /--image \/no\/such\/dir: no such file or directory/],
    [['a.wasm', 'b.wasm'], /expected one APP\.wasm, got 2/],
  ])('box-link %j', async (args, message) => {
    const r = (await inProcess('box-link', args));
    expect(r.status).toBe(2);
    expectOneLineError(r, message);
  });

  it('refuses an image tar with a file under a symlink (a -> /etc, then a/passwd): one line, not an internal error', async () => {
    const tar = join(work, 'under-link.tar');
    writeFileSync(tar, snapshotToTar([
      { path: '/a', type: 'symlink', target: '/etc', mode: 0o777, mtime: 0n },
      { path: '/a/passwd', type: 'file', data: new Uint8Array(1), mode: 0o644, mtime: 0n },
    ]));
    const out = join(work, 'under-link.box.wasm');
    const r = (await inProcess('box-link', ['--image', tar, '-o', out, hello]));
    expect(r.status).toBe(2);
    expectOneLineError(r, /^box-link: vfs: image path \/a\/passwd: parent \/a is not a directory\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a malformed wasm file, saying where', async () => {
    const bad = join(work, 'bad.wasm');
    writeFileSync(bad, readFileSync(hello).subarray(0, 100));
    const r = (await inProcess('box-link', [bad, '-o', join(work, 'bad.box.wasm')]));
    expect(r.status).toBe(2);
    expectOneLineError(r, /^box-link: .*bad\.wasm: malformed wasm at 0x[0-9a-f]+ in the \w+ section: /);
    expect(existsSync(join(work, 'bad.box.wasm'))).toBe(false);
  });
});

describe('box', () => {
  it('links and runs hello: greeting, argv and env from inside the box', async () => {
    const out = join(work, 'hello.box.wasm');
    expect((await inProcess('box-link', ['--env', 'GREETING=Salut', '-o', out, hello, '--', 'default'])).status).toBe(0);
    const box = readModule(readFileSync(out));
    expect(box.memories.length).toBeGreaterThanOrEqual(2);
    const r = cli('box', ['run', '--dir', `${join(root, 'examples/hello/data')}:/data`, out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe([
      'Salut from inside a box!', 'argv[0] = hello.wasm', 'argv[1] = default', 'GREETING=Salut',
      '/data:', '  name.txt (9 bytes)', '  notes.txt (34 bytes)', '',
    ].join('\n'));
    const again = await boxRun(['-e', 'GREETING=Hej', '--dir', `${join(root, 'examples/hello/data')}:/data`, out, 'x', 'y']);
    expect(again.stdout).toMatch(/^Hej from inside a box!\nargv\[0\] = hello\.wasm\nargv\[1\] = x\nargv\[2\] = y\n/);
  });

  it('bakes a directory or a tar file into the box as its filesystem (--image)', async () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'etc'), { recursive: true });
    writeFileSync(join(tree, 'etc', 'motd'), 'inside the image\n');
    const fromDir = join(work, 'img-dir.box.wasm');
    expect((await inProcess('box-link', ['--image', tree, '-o', fromDir, dirDump])).status).toBe(0);
    const r = await boxRun([fromDir, '/etc']);
    expect(r.stdout).toBe('/etc/motd: inside the image\n');
    expect(r.status).toBe(0);
    // the host directory is not reachable from the box: only its baked copy
    rmSync(tree, { recursive: true });
    expect((await boxRun([fromDir, '/etc'])).stdout).toBe('/etc/motd: inside the image\n');

    const tarDir = join(work, 'tar-src');
    mkdirSync(join(tarDir, 'srv'), { recursive: true });
    writeFileSync(join(tarDir, 'srv', 'index.html'), '<h1>boxed</h1>\n');
    const tar = join(work, 'image.tar');
    execFileSync('tar', ['-cf', tar, '-C', tarDir, 'srv']);
    const fromTar = join(work, 'img-tar.box.wasm');
    expect((await inProcess('box-link', ['--image', tar, '--workdir', '/srv', '-o', fromTar, dirDump])).status).toBe(0);
    // the workdir exists, and paths, relative or absolute, resolve from "/" (what getcwd() answers)
    expect((await boxRun([fromTar, '/srv'])).stdout).toBe('/srv/index.html: <h1>boxed</h1>\n');
    expect((await boxRun([fromTar, 'srv'])).stdout).toBe('srv/index.html: <h1>boxed</h1>\n');
  });

  it('puts host directories only at declared mount points of a box with its own filesystem', async () => {
    const host = join(work, 'volume');
    mkdirSync(host, { recursive: true });
    writeFileSync(join(host, 'data.txt'), 'from the host\n');
    const box = join(work, 'mounted.box.wasm');
    expect((await inProcess('box-link', ['--mount-point', '/var/data', '-o', box, dirDump])).status).toBe(0);
    const r = await boxRun(['--dir', `${host}:/var/data`, box, '/var/data']);
    expect(r.stdout).toBe('/var/data/data.txt: from the host\n');
    expect(r.status).toBe(0);
    // without --dir the mount point is an empty directory of the image
    expect(await boxRun([box, '/var/data'])).toMatchObject({ status: 0, stdout: '' });
    const refused = await boxRun(['--dir', `${host}:/elsewhere`, box, '/elsewhere']);
    expect(refused.status).toBe(125);
    expectOneLineError(refused, /--dir \/elsewhere: the box has its own filesystem and its mount points are \/var\/data/);
  });

  it('links a reproducible box: sealed, fixed clock, seeded random, imports only stdio and exit', async () => {
    const box = join(work, 'det.box.wasm');
    const args = ['--sealed', '--fs', '--clock', 'fixed:2000-01-01T00:00:00Z', '--random', 'seed:42', '-o', box, join(root, 'conformance/programs/determinism.wasm')];
    expect((await inProcess('box-link', args)).status).toBe(0);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(box))).map((i) => i.name).sort();
    expect(imports).toEqual(['fd_read', 'fd_write', 'proc_exit']);
    const first = await boxRun([box]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^start: realtime 946684800\.0+ monotonic 0\.000001000\n/);
    // sleep(1) moved virtual time by exactly one second, plus one tick per clock read
    expect(first.stdout).toMatch(/\nafter sleep\(1\): realtime 946684801\.000002000 monotonic 1\.000003000\n/);
    expect(first.stdout).toMatch(/\nrandom: af ed 14 f5 /);
    expect(first.stdout).toMatch(/, mtime 946684801\n$/);
    expect((await boxRun([box])).stdout).toBe(first.stdout);
    expect((await boxRun([box, 'ignored', 'args'])).stdout).toBe(first.stdout);
  });

  it('inspects a box: manifest, authority by part, sizes; refuses a newer format', async () => {
    const box = join(work, 'inspect.box.wasm');
    expect((await inProcess('box-link', ['--env', 'A=1', '--mount-point', '/data', '-o', box, hello, '--', 'x'])).status).toBe(0);
    const r = (await inProcess('box', ['inspect', '--json', box]));
    expect(r.status).toBe(0);
    const inspection = JSON.parse(r.stdout);
    const manifest = readManifest(readFileSync(box));
    expect(inspection.manifest).toEqual(manifest);
    expect(inspection.manifest.mountPoints).toEqual(['/data']);
    expect(inspection.authority.proc).toContain('args_get');
    expect(Object.values(inspection.authority).flat().sort()).toEqual([...manifest.hostImports].sort());
    expect(inspection.sections.code).toBeGreaterThan(0);
    expect((await inProcess('box', ['inspect', box])).stdout).toMatch(/^format 1, \d+ bytes, 4 memories\ncapabilities: kernel [\d.]+, vfs [\d.]+, proc [\d.]+\n/);

    const m = readModule(readFileSync(box));
    m.customs = m.customs.map((c) => (c.name === 'box' ? { ...c, bytes: new TextEncoder().encode(JSON.stringify({ ...manifest, format: 99 })) } : c));
    const newer = join(work, 'newer.box.wasm');
    writeFileSync(newer, writeModule(m));
    const refused = (await inProcess('box', ['inspect', newer]));
    expect(refused.status).toBe(2);
    expectOneLineError(refused, /uses format 99, newer than this runtime reads \(1\); upgrade Marcotte/);
    const run = await boxRun([newer]);
    expect(run.status).toBe(125);
    expectOneLineError(run, /format 99/);
  });

  it('runs a wasi-testsuite-style folder as boxes (box conformance)', () => {
    const suite = join(work, 'suite');
    mkdirSync(join(suite, 'fixture'), { recursive: true });
    writeFileSync(join(suite, 'fixture', 'a.txt'), 'hi\n');
    writeFileSync(join(suite, 'good.wasm'), readFileSync(dirDump));
    writeFileSync(join(suite, 'good.json'), JSON.stringify({ args: ['/'], root: 'fixture', stdout: '//a.txt: hi\n' }));
    writeFileSync(join(suite, 'bad.wasm'), readFileSync(dirDump));
    writeFileSync(join(suite, 'bad.json'), JSON.stringify({ args: ['/'], root: 'fixture', stdout: '//a.txt: bye\n' }));
    const out = join(work, 'results.json');
    const r = cli('box', ['conformance', '--suite', suite, '--json', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL bad \[static\]: stdout differs/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 1 failed');
    expect(JSON.parse(readFileSync(out, 'utf8')).passed).toBe(1);
    expectOneLineError(cli('box', ['conformance']), /--suite DIR is required/);
  });

  it('box conformance without @marcotte/conformance installed says which package to install (exit 2, one line)', () => {
    // The CLI as npm installs it alone: its bin and bundle, with no workspace packages to find from there.
    const alone = join(work, 'cli-alone');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(new URL(`../${part}`, import.meta.url), join(alone, part), { recursive: true });
    const r = spawnSync(process.execPath, [join(alone, 'bin/box.js'), 'conformance', '--suite', work], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expectOneLineError(r, /^box conformance: needs @marcotte\/conformance \(its box-conformance command\), which is not installed: npm install @marcotte\/conformance beside @marcotte\/cli\n$/);
  });

  it('ends a box at its time limit (137) and on SIGTERM (143) or SIGINT (130)', async () => {
    const box = join(work, 'spin.box.wasm');
    expect((await inProcess('box-link', ['-o', box, join(root, 'conformance/programs/spin.wasm')])).status).toBe(0);
    const grow = join(work, 'grow.box.wasm');
    expect((await inProcess('box-link', ['-o', grow, join(root, 'conformance/programs/grow.wasm')])).status).toBe(0);
    expect(await boxRun([grow])).toMatchObject({ status: 0, stdout: 'allocated 64 MiB (checksum 2080)\n' });
    const capped = await boxRun(['--memory', '8m', grow]);
    expect(capped.status).toBe(137);
    expect(capped.stdout).toMatch(/^malloc failed after [4-7] MiB\n$/);
    expectOneLineError(capped, /^box run: memory limit of 8388608 bytes reached\n$/);
    // spin prints one line ("spinning\n", 9 bytes): a 4-byte limit ends it at once
    const chatty = await boxRun(['--max-output', '4', box]);
    expect(chatty.status).toBe(137);
    expectOneLineError(chatty, /^box run: output limit of 4 bytes reached\n$/);
    // The three spawned runs of the spinning box (the real bin's status on a limit and on signals) at once:
    // each holds a worker only while its box spins.
    const limit = spawned(process.execPath, [bin('box'), 'run', '--timeout', '0.5', box], work);
    const signalled = (['SIGTERM', 'SIGINT'] as const).map(async (signal) => {
      const child = spawn(process.execPath, [bin('box'), 'run', box], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
      // wait until the program runs, then signal the CLI
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.kill(signal);
      const [code, ended] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
      // The status a shell reports: a box run on the main thread ends by the signal itself (128 + n).
      return code ?? 128 + constants.signals[ended!];
    });
    // all three ended before any verdict: none is left spinning
    const [limited, ...statuses] = await Promise.all([limit, ...signalled]);
    expect(limited.status).toBe(137);
    expectOneLineError(limited, /^box run: time limit of 0.5s reached\n$/);
    expect(statuses).toEqual([143, 130]);
  });

  it('--memory bounds the vfs\'s metadata too: many symlinks with long targets or many empty files end with ENOSPC (issue 16)', async () => {
    // Before, --memory capped only the program's memory: 908,960 such symlinks held 3.7 GB under --memory 16m.
    const program = join(root, 'conformance/programs/fill_names.wasm');
    const box = join(work, 'fill.box.wasm');
    const portable = join(work, 'fill-portable.box.wasm');
    expect((await inProcess('box-link', ['--fs', '-o', box, program])).status).toBe(0);
    expect((await inProcess('box-link', ['--fs', '--portable', '-o', portable, program])).status).toBe(0);
    for (const [mode, most] of [['symlinks', 1000], ['files', 10_000]] as const) {
      for (const args of [[box], ['--mode', 'dynamic', portable]]) {
        const r = await boxRun(['--memory', '16m', ...args, mode]);
        expect(r.status).toBe(0);
        const made = /^(\w+): (\d+) then No space left on device\n$/.exec(r.stdout);
        expect(made?.[1]).toBe(mode);
        expect(Number(made![2])).toBeGreaterThan(10);
        expect(Number(made![2])).toBeLessThan(most);
      }
    }
  });

  it('box-link --vfs-* set the vfs limits (and imply --fs); bad values are one line, exit 2', async () => {
    const program = join(root, 'conformance/programs/fill_names.wasm');
    const box = join(work, 'fill-limits.box.wasm');
    expect((await inProcess('box-link', ['--vfs-max-meta', '64k', '--vfs-quota', '0', '-o', box, program])).status).toBe(0);
    const made = /^files: (\d+) then No space left on device\n$/.exec((await boxRun([box, 'files'])).stdout);
    // 64 KiB / (an inode and a name, about 120 bytes)
    expect(Number(made?.[1])).toBeGreaterThan(400);
    expect(Number(made?.[1])).toBeLessThan(600);
    for (const [args, message] of [
      [['--vfs-memory', '1m'], /^box-link: --vfs-memory must be from 2097152 to 4294967296, got 1048576\n$/],
      [['--vfs-quota', 'lots'], /^box-link: --vfs-quota expects a size such as 65536 or 64k, got "lots"\n$/],
    ] as const) {
      const r = (await inProcess('box-link', [...args, '-o', box, program]));
      expect(r.status).toBe(2);
      expectOneLineError(r, message);
    }
  });

  it('a box whose image nests 200,000 directories: FROM, -w, --entrypoint and --commit answer one line at once (issue 16)', async () => {
    // Before, FROM ran out of V8 heap (3.7 GB) and -w ran for minutes: every entry's path was built and split.
    const linked = join(work, 'state-deep.box.wasm');
    expect((await inProcess('box-link', ['--fs', '-o', linked, join(root, 'conformance/programs/append_state.wasm')])).status).toBe(0);
    const ctx = mkdtempSync(join(work, 'deep-'));
    const deep = join(ctx, 'deep.box.wasm');
    writeFileSync(deep, replaceConfig(readFileSync(linked), 'vfs', deepChainImage(200_000)));
    const tooLong = /vfs image entry \d+: its path is longer than the image's max path \(4096 bytes\)\n$/;
    // The box itself runs: the vfs reads directories only when they are used.
    expect(await boxRun([deep, '0'])).toMatchObject({ status: 0, stdout: 'run 0\n' });
    for (const args of [['-w', '/d'], ['--entrypoint', '/d/x'], ['--commit', join(ctx, 'out.box.wasm')]]) {
      const r = await boxRun([...args, deep, '0']);
      expect(r.status).toBe(125);
      expectOneLineError(r, tooLong);
    }
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM deep.box.wasm\nCMD ["/x"]\n');
    const built = (await inProcess('box', ['build', '--no-cache', '-o', join(ctx, 'x.box.wasm'), ctx]));
    expect(built.status).toBe(2);
    expect(built.stderr).toMatch(/FROM deep\.box\.wasm: vfs image entry 2048: its path is longer than the image's max path/);
  });

  it('commits a run\'s filesystem changes into a new box, also after a failure or a trap (--commit)', async () => {
    const program = join(root, 'conformance/programs/append_state.wasm');
    const boxes = [0, 1, 2, 3].map((i) => join(work, `state${i}.box.wasm`));
    expect((await inProcess('box-link', ['--fs', '-o', boxes[0]!, program])).status).toBe(0);
    expect(await boxRun(['--commit', boxes[1]!, boxes[0]!, '3'])).toMatchObject({ status: 3, stdout: 'run 3\n' });
    const trapped = await boxRun(['--commit', boxes[2]!, boxes[1]!, '0', 'trap']);
    expect(trapped).toMatchObject({ status: 134, stdout: 'run 3\nrun 0\n' });
    expect(await boxRun([boxes[2]!, '5'])).toMatchObject({ status: 5, stdout: 'run 3\nrun 0\nrun 5\n' });
    // a time limit interrupts the program in one of its loops: what it wrote is kept
    const spinner = join(work, 'write-spin.box.wasm'), stopped = join(work, 'write-spin-stopped.box.wasm');
    expect((await inProcess('box-link', ['--fs', '-o', spinner, join(root, 'conformance/programs/write_spin.wasm')])).status).toBe(0);
    // 3 s, not 1: the limit counts from the start of the run, and on a loaded machine the write came after 1 s.
    const timed = await boxRun(['--timeout', '3', '--commit', stopped, spinner, 'kept after the limit']);
    expect(timed).toMatchObject({ status: 137, stdout: 'wrote /work.txt\n' });
    expectOneLineError(timed, /^box run: time limit of 3s reached\n$/);
    expect(readManifest(readFileSync(stopped)).image).toMatchObject({ files: 1, bytes: 'kept after the limit'.length });
    // an output limit ends the run, and its writes are kept too
    const limited = join(work, 'state-limited.box.wasm');
    const cut = await boxRun(['--max-output', '4', '--commit', limited, boxes[2]!, '8']);
    expect(cut.status).toBe(137);
    expect((await boxRun([limited, '9'])).stdout).toBe('run 3\nrun 0\nrun 8\nrun 9\n');
    // the box it came from is unchanged
    expect((await boxRun([boxes[0]!, '7'])).stdout).toBe('run 7\n');
    expect(readManifest(readFileSync(boxes[2]!)).image).toMatchObject({ files: 1, bytes: 12 });
    // a portable box's parts carry the committed image too: dynamic mode sees the same files
    const portable = [0, 1].map((i) => join(work, `pstate${i}.box.wasm`));
    expect((await inProcess('box-link', ['--fs', '--portable', '-o', portable[0]!, program])).status).toBe(0);
    expect((await boxRun(['--commit', portable[1]!, portable[0]!, '4'])).status).toBe(4);
    expect(await boxRun(['--mode', 'dynamic', portable[1]!, '6'])).toMatchObject({ status: 6, stdout: 'run 4\nrun 6\n' });
    const plain = join(work, 'commit-nofs.box.wasm');
    expect((await inProcess('box-link', ['-o', plain, hello])).status).toBe(0);
    const noFs = await boxRun(['--commit', boxes[3]!, plain]);
    expect(noFs.status).toBe(125);
    expectOneLineError(noFs, /--commit: .* has no filesystem of its own/);
    // a manifest placing the image where the module has none: refused before the program runs (was an internal error after it)
    for (const [edit, message] of [
      [(p: { first: number; count: number; sizeFunction: number }) => void (p.first += 1000), /places its image on data segments it does not have/],
      [(p: { first: number; count: number; sizeFunction: number }) => void (p.count = 0), /places its image on data segments it does not have/],
      [(p: { first: number; count: number; sizeFunction: number }) => void (p.count = 1), /places its image on 1 data segment, a vfs image is 2\n$/],
      [(p: { first: number; count: number; sizeFunction: number }) => void (p.sizeFunction += 100_000), /names an image size function it does not have/],
      [(p: { first: number; count: number; sizeFunction: number }) => void (p.sizeFunction = 0), /names an image size function it does not have/],
    ] as const) {
      const module = readModule(readFileSync(boxes[0]!));
      const section = module.customs.find((c) => c.name === 'box')!;
      const manifest = JSON.parse(new TextDecoder().decode(section.bytes));
      edit(manifest.configs.vfs);
      section.bytes = new TextEncoder().encode(JSON.stringify(manifest));
      const misplaced = join(work, 'misplaced.box.wasm');
      writeFileSync(misplaced, writeModule(module));
      const out = join(work, 'misplaced-commit.box.wasm');
      const r = await boxRun(['--commit', out, misplaced, '1']);
      expect(r).toMatchObject({ status: 125, stdout: '' });
      expectOneLineError(r, message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('runs another program from the box\'s filesystem (--entrypoint), with another workdir (-w)', async () => {
    const image = join(work, 'entry-image');
    mkdirSync(join(image, 'bin'), { recursive: true });
    mkdirSync(join(image, 'srv'), { recursive: true });
    writeFileSync(join(image, 'bin/dump.wasm'), readFileSync(dirDump));
    symlinkSync('dump.wasm', join(image, 'bin/ls'));
    writeFileSync(join(image, 'srv/a.txt'), 'in srv\n');
    const box = join(work, 'entry.box.wasm');
    expect((await inProcess('box-link', ['--image', image, '--workdir', '/srv', '--env', 'OUT=made.txt', '-o', box, hello])).status).toBe(0);
    expect((await boxRun([box])).stdout).toMatch(/^Hello/);
    // dir_dump through a symlink; a relative entrypoint is found from the workdir
    const listed = await boxRun(['--entrypoint', '../bin/ls', box, '/srv']);
    expect(listed).toMatchObject({ status: 0, stdout: '/srv/a.txt: in srv\n' });
    // dir_dump never calls chdir, so wasi-libc left it out: said once, the run goes on from /
    expect(listed.stderr).toBe('box run: --entrypoint ../bin/ls: workdir /srv is not applied, the program starts in /: the program does not contain chdir (wasi-libc links it only into programs that call chdir)\n');
    // -w creates the directory in this run's filesystem only; the box file is unchanged
    const committed = join(work, 'entry-committed.box.wasm');
    const moved = await boxRun(['-w', '/tmp/new', '--entrypoint', '/bin/ls', '--commit', committed, box, '/tmp/new']);
    expect(moved).toMatchObject({ status: 0, stdout: '' });
    expect((await boxRun(['--entrypoint', '/bin/ls', box, '/tmp'])).status).toBe(1);
    // the commit keeps the box's program and working directory, with the run's files
    const after = readManifest(readFileSync(committed));
    expect(after.workdir).toBe('/srv');
    expect(after.entrypoint).toBe('hello.wasm');
    expect((await boxRun(['--entrypoint', 'ls', '-w', '/bin', committed, '/tmp'])).stdout).toMatch(/^\/tmp\/new\/\n\/tmp\/new\/made\.txt: /);
    const linked = (await inProcess('box-link', ['-o', join(work, 'nofs.box.wasm'), hello]));
    expect(linked.status).toBe(0);
    for (const [args, message] of [
      [['--entrypoint', '/bin/none', box], /--entrypoint \/bin\/none: no such file or directory in the box's filesystem/],
      [['--entrypoint', '/srv', box], /--entrypoint \/srv: is a directory/],
      [['--entrypoint', '/srv/a.txt', box], /--entrypoint \/srv\/a\.txt: \/srv\/a\.txt: malformed wasm/],
      [['-w', 'rel', box], /-w must be an absolute path/],
      [['-w', '/srv/a.txt', box], /-w \/srv\/a\.txt: .*not a directory/],
      [['--entrypoint', '/x', join(work, 'nofs.box.wasm')], /--entrypoint needs a box with its own filesystem/],
    ] as const) {
      const r = await boxRun([...args]);
      expect(r.status).toBe(125);
      expectOneLineError(r, message);
    }
  });

  it('exports a box as an OCI image layout, refusing bad input with one line (box export --oci)', async () => {
    const box = join(work, 'oci-hello.box.wasm');
    expect((await inProcess('box-link', ['--env', 'A=1', '-o', box, hello])).status).toBe(0);
    const out = join(work, 'hello-oci.tar');
    expect((await inProcess('box', ['export', '--oci', out, box]))).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const listing = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(listing.filter((p) => p.startsWith('blobs/sha256/') && p.length > 'blobs/sha256/'.length)).toHaveLength(3);
    expect(listing).toContain('index.json');
    expect(listing).toContain('oci-layout');
    const index = JSON.parse(execFileSync('tar', ['-xOf', out, 'index.json'], { encoding: 'utf8' }));
    expect(index.manifests[0].annotations['io.containerd.image.name']).toBe('localhost/oci-hello:latest');
    expect(index.manifests[0].platform).toEqual({ architecture: 'wasm', os: 'wasi' });
    expect((await inProcess('box', ['export', '--oci', out, '--layer', 'wasm', box]))).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(JSON.parse(execFileSync('tar', ['-xOf', out, 'index.json'], { encoding: 'utf8' })).manifests[0].platform).toEqual({ architecture: 'wasm', os: 'wasip1' });
    for (const [args, message] of [
      [['export', box], /--oci OUT\.tar is required/],
      [['export', '--oci', out, '--name', 'Bad Name', box], /--name "Bad Name" is not an image reference/],
      [['export', '--oci', out, '--layer', 'zip', box], /--layer "zip" is not a layer form \(tar or wasm\)/],
      [['export', '--oci', out, hello], /hello\.wasm: .*manifest/],
      [['export', '--oci', out, join(work, 'none.box.wasm')], /cannot read .*none\.box\.wasm: no such file/],
    ] as const) {
      const r = await inProcess('box', [...args]);
      expect(r.status).toBe(2);
      expectOneLineError(r, message);
    }
    // not a module, though it carries a box's manifest section: no image is written (issue 16, finding 12)
    const boxBytes = readFileSync(box);
    const manifestSection = readModule(boxBytes).customs.find((c) => c.name === 'box')!;
    const name = new TextEncoder().encode('box');
    const body = [name.length, ...name, ...manifestSection.bytes];
    const leb = (n: number) => { const o: number[] = []; do { o.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>>= 7; } while (n); return o; };
    const fake = join(work, 'fake.box.wasm');
    writeFileSync(fake, Uint8Array.from([...boxBytes.subarray(0, 8), 0, ...leb(body.length), ...body, 0x42, 1, 0]));
    const fakeOut = join(work, 'fake-oci.tar');
    const r = (await inProcess('box', ['export', '--oci', fakeOut, fake]));
    expect(r.status).toBe(2);
    // Refused as damaged (its manifest lists imports it lacks) before the module is even compiled.
    expectOneLineError(r, /^box export: .*fake\.box\.wasm: (not a valid WebAssembly module|the box is damaged)/);
    expect(existsSync(fakeOut)).toBe(false);
  });

  it('inspects a box from box build: layers, user, labels next to the manifest', async () => {
    const out = join(work, 'built-hello.box.wasm');
    expect((await inProcess('box', ['build', '--no-cache', '-o', out, join(root, 'examples/hello')])).status).toBe(0);
    const text = (await inProcess('box', ['inspect', out]));
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^built from: scratch$/m);
    expect(text.stdout).toMatch(/^layers: 2$/m);
    expect(text.stdout).toMatch(/^ {2}sha256:[0-9a-f]{12} +\d+ B {2}line 3: COPY hello\.wasm \/bin\/hello$/m);
    const json = JSON.parse((await inProcess('box', ['inspect', '--json', out])).stdout);
    expect(json.manifest).toEqual(readManifest(readFileSync(out)));
    expect(json.manifest.build.layers.map((l: { line: number }) => l.line)).toEqual([3, 4]);
  });

  it('imports no host filesystem function for a vfs without mount points (DESIGN.md §4)', async () => {
    const own = join(work, 'own-fs.box.wasm'), mounted = join(work, 'mounted-fs.box.wasm');
    expect((await inProcess('box-link', ['--fs', '-o', own, dirDump])).status).toBe(0);
    expect((await inProcess('box-link', ['--mount-point', '/mnt', '-o', mounted, dirDump])).status).toBe(0);
    const hostFs = (box: string) => readManifest(readFileSync(box)).hostImports.filter((f) => f.startsWith('path_') || f.startsWith('fd_prestat'));
    expect(hostFs(own)).toEqual([]);
    expect(readManifest(readFileSync(own)).denied).toBeUndefined(); // not a denial: the box has a filesystem
    expect(hostFs(mounted)).toContain('path_open');
    expect((await boxRun([own, '/'])).status).toBe(0);
  });

  it('passes the program exit code through', async () => {
    const out = join(work, 'dump.box.wasm');
    expect((await inProcess('box', ['link', '-o', out, dirDump])).status).toBe(0);
    const r = cli('box', ['run', out, '/nowhere']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/dir_dump: \/nowhere/);
  });

  it('exits 134 with one line when the program traps', async () => {
    const out = join(work, 'trap.box.wasm');
    expect((await inProcess('box-link', ['-o', out, join(root, 'conformance/programs/trap.wasm')])).status).toBe(0);
    const r = cli('box', ['run', out]);
    expect(r.stdout).toBe('about to trap\n');
    expect(r.status).toBe(134);
    expectOneLineError(r, /^box run: the box trapped: unreachable in __original_main <- .*box:_start\n$/);
  });

  it.each([
    [['run'], 125, /box run: expected BOX\.box\.wasm/],
    [['run', hello], 125, /box run: not a box: it has no "box" manifest section/],
    [['run', 'missing.box.wasm'], 125, /box run: cannot read missing\.box\.wasm: no such file/],
    [['run', '--dir', '/definitely/not/here', hello], 125, /is not a directory/],
    [['run', '--memory', 'lots', hello], 125, /--memory expects a size such as 65536 or 64k/],
    [['run', '--timeout', 'soon', hello], 125, /--timeout expects a positive number of seconds/],
    // past a Node timer's 2^31-1 ms the limit would end the box after 1 ms: refused instead
    [['run', '--timeout', '3000000', hello], 125, /--timeout expects a positive number of seconds \(at most 2147483\), got "3000000"/],
    [['run', '--max-output', 'lots', hello], 125, /--max-output expects a size such as 65536 or 64k/],
    [['frobnicate'], 2, /box: unknown command "frobnicate"/],
  ])('box %j exits %i with one line', async (args, status, message) => {
    const r = await inProcess('box', args);
    expect(r.status).toBe(status);
    expectOneLineError(r, message);
  });

  it('runs a --portable box in dynamic mode on request, with the same output', async () => {
    const box = join(work, 'portable-here.box.wasm');
    expect((await inProcess('box-link', ['--portable', '-o', box, dirDump])).status).toBe(0);
    expect(readManifest(readFileSync(box)).portable).toBe(true);
    const data = `${join(root, 'examples/hello/data')}:/data`;
    const dynamic = await boxRun(['--mode', 'dynamic', '--dir', data, box, '/data']);
    expect(dynamic).toEqual(await boxRun(['--mode', 'static', '--dir', data, box, '/data']));
    expect(dynamic.stdout).toBe('/data/name.txt: Marcotte\n/data/notes.txt: Boxes carry their own filesystem.\n');
    const refused = await boxRun(['--mode', 'dynamic', join(work, 'hello.box.wasm')]);
    expect(refused.status).toBe(125);
    expectOneLineError(refused, /needs a portable box/);
  });

  it('traces the WASI calls a program makes, up to a trap, in static and dynamic mode (--trace)', async () => {
    const traced = join(work, 'traced.box.wasm');
    expect((await inProcess('box-link', ['--trace', '-o', traced, join(root, 'conformance/programs/trap.wasm')])).status).toBe(0);
    const r = cli('box', ['run', '--trace', traced]);
    expect(r.status).toBe(134);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^box run: the box trapped: unreachable/);
    expect(lines).toContain(`fd_fdstat_get(1, ${lines.find((l) => l.startsWith('fd_fdstat_get(1, '))!.slice(17)}`);
    expect(lines.some((l) => /^fd_write\(1, \d+, \d+, \d+\) = 0 \(SUCCESS\)$/.test(l))).toBe(true);
    // without --trace at run time the recorded calls are not printed
    expect((await boxRun([traced])).stderr.trimEnd().split('\n')).toHaveLength(1);

    const portable = join(work, 'traced-portable.box.wasm');
    expect((await inProcess('box-link', ['--portable', '-o', portable, dirDump])).status).toBe(0);
    const dynamic = await boxRun(['--trace', '--dir', `${join(root, 'examples/hello/data')}:/data`, portable, '/data']);
    expect(dynamic.status).toBe(0);
    expect(dynamic.stderr).toMatch(/^path_open\(3, 1, \d+, \d+, 2, \d+, \d+, \d+, \d+\) = 0 \(SUCCESS\)$/m);
    expect(dynamic.stderr).toMatch(/^fd_read\(\d+, \d+, \d+, \d+\) = 0 \(SUCCESS\)$/m);
    // the same box, linked with --trace and --portable, gives the same call list in both modes
    const both = join(work, 'traced-both.box.wasm');
    expect((await inProcess('box-link', ['--trace', '--portable', '-o', both, dirDump])).status).toBe(0);
    const data = `${join(root, 'examples/hello/data')}:/data`;
    const inStatic = await boxRun(['--trace', '--mode', 'static', '--dir', data, both, '/data']);
    const inDynamic = await boxRun(['--trace', '--mode', 'dynamic', '--dir', data, both, '/data']);
    expect(inStatic.stderr.split('\n').length).toBeGreaterThan(10);
    expect(inDynamic).toEqual(inStatic);
    const refused = await boxRun(['--trace', join(work, 'hello.box.wasm')]);
    expect(refused.status).toBe(125);
    expectOneLineError(refused, /records no calls \(link it with --trace, or --portable/);
  });

  it('has --help on every command and --version', async () => {
    expect(cli('box', ['--help']).stdout).toMatch(/^Usage: box COMMAND/);
    expect((await inProcess('box', ['run', '--help'])).stdout).toMatch(/^Usage: box run/);
    expect((await inProcess('box', ['link', '--help'])).stdout).toMatch(/^Usage: box-link/);
    expect((await inProcess('box-link', ['--help'])).stdout).toMatch(/^Usage: box-link/);
    expect(cli('box', ['--version']).stdout).toMatch(/^box \d+\.\d+\.\d+\nkernel \d+\.\d+\.\d+\nclock \d+\.\d+\.\d+\nvfs \d+\.\d+\.\d+\nnet \d+\.\d+\.\d+\nproc /);
  });
});

// The system Node on the project's machines is 20, which has no multi-memory.
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
  if (!existsSync(p)) return false;
  return execFileSync(p, ['-p', 'WebAssembly.validate(new Uint8Array([0,97,115,109,1,0,0,0,5,5,2,0,0,0,0]))'], { encoding: 'utf8' }).trim() === 'false';
});

describe.skipIf(!oldNode)('on an engine without multi-memory', () => {
  it('says what to do in one line and exits 125 for a box without its parts', async () => {
    const box = join(work, 'static-only.box.wasm');
    expect((await inProcess('box-link', ['-o', box, hello])).status).toBe(0);
    const r = cli('box', ['run', box], oldNode);
    expect(r.status).toBe(125);
    expectOneLineError(r, /cannot run multi-memory WebAssembly .*`npx -y pnpm@10\.34\.9 exec box`/);
  });

  it('runs a --portable box in dynamic mode, with the same output as static mode on a newer engine', async () => {
    const box = join(work, 'portable.box.wasm');
    expect((await inProcess('box-link', ['--portable', '--env', 'GREETING=Dag', '-o', box, hello])).status).toBe(0);
    const data = `${join(root, 'examples/hello/data')}:/data`;
    const old = cli('box', ['run', '--dir', data, box, 'a'], oldNode);
    const current = await boxRun(['--dir', data, box, 'a']); // the newer engine's output, what the old one must match
    expect(old.stderr).toBe('');
    expect(old.status).toBe(0);
    expect(old.stdout).toBe(current.stdout);
    expect(old.stdout).toMatch(/^Dag from inside a box!\n/);
  });
});
