// WORKDIR applied (issue 21): the box starts the program in its working
// directory when the program carries wasi-libc's chdir in its name section
// (C with wasi-libc, Rust's std), and says once why not when it does not.
import { spawnSync } from 'node:child_process';
import { cliInProcess } from './cli-harness.ts';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '@marcotte/abi';
import { configSegments, readModule, writeModule } from '@marcotte/linker';
import { decodeImage } from '@marcotte/vfs';

const root = new URL('../../../', import.meta.url).pathname;
const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-workdir-'));
  mkdirSync(join(work, 'img/app'), { recursive: true });
  writeFileSync(join(work, 'img/app/note.txt'), 'in the image\n');
  mkdirSync(join(work, 'host'));
  writeFileSync(join(work, 'host/note.txt'), 'on the host\n');
  for (const name of ['cwd', 'cwd_rust']) {
    const bytes = readFileSync(join(root, 'conformance/programs', `${name}.wasm`));
    writeFileSync(join(work, `${name}.wasm`), bytes);
    // stripped: the same program without its custom sections (no name section)
    const m = readModule(bytes);
    m.customs = [];
    writeFileSync(join(work, `${name}_stripped.wasm`), writeModule(m));
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * box-link, box run and box build (without RUN: a RUN step's program writes to the process's own stderr) through
 * the bundle's main() in this process (cli-harness.ts), their relative paths taken from the work folder
 * as the spawned CLI's working directory gave them.
 */
function inWork(name: 'box' | 'box-link', args: string[]) {
  const path = /^(img|[^-/].*\.wasm)$/;
  // --dir host:/data: the host directory relative to the work folder, as the spawned CLI took it
  return cliInProcess(name, args.map((a) => (path.test(a) ? join(work, a) : a.startsWith('host:') ? join(work, a) : a)));
}

/** `box run` as inWork runs the other commands; RUN (box build) stays spawned below. */
const boxRun = (args: string[]) => inWork('box', ['run', ...args]);

function cli(name: 'box' | 'box-link', args: string[]) {
  const r = spawnSync(process.execPath, [bin(name), ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.each(['cwd', 'cwd_rust'])('%s starts in the working directory', (program) => {
  it('in the image: getcwd/current_dir and relative opens agree with --workdir; -w moves it', async () => {
    const link = await inWork('box-link', ['--image', 'img', '--workdir', '/app', '-o', `${program}.box.wasm`, `${program}.wasm`]);
    expect(link).toMatchObject({ status: 0, stderr: '' });
    expect(readManifest(readFileSync(join(work, `${program}.box.wasm`))).workdirNotApplied).toBeUndefined();
    expect(await boxRun([`${program}.box.wasm`])).toMatchObject({ status: 0, stdout: 'cwd /app\nnote.txt in the image\n' });
    // a relative create lands in the workdir, as the snapshot shows
    const committed = await boxRun(['--commit', `${program}.after.box.wasm`, `${program}.box.wasm`]);
    expect(committed.status).toBe(0);
    const after = decodeImage(configSegments(readFileSync(join(work, `${program}.after.box.wasm`)), 'vfs')!);
    expect(after.map((e) => e.path)).toContain('/app/out.txt');
    expect(after.map((e) => e.path)).not.toContain('/out.txt');
    expect((await boxRun(['-w', '/', `${program}.after.box.wasm`])).stdout).toBe('cwd /\nnote.txt missing\n');
    expect((await boxRun(['-w', '/tmp', `${program}.box.wasm`])).stdout).toBe('cwd /tmp\nnote.txt missing\n');
  });

  it('on a host mount: relative paths reach the host directory mounted at the workdir', async () => {
    const out = join(work, 'host/out.txt');
    rmSync(out, { force: true });
    expect((await inWork('box-link', ['--mount-point', '/data', '--workdir', '/data', '-o', `${program}.m.box.wasm`, `${program}.wasm`])).status).toBe(0);
    const r = await boxRun(['--dir', 'host:/data', `${program}.m.box.wasm`]);
    expect(r).toMatchObject({ status: 0, stdout: 'cwd /data\nnote.txt on the host\n' });
    expect(readFileSync(out, 'utf8')).toBe('written\n');
  });

  it('stripped: links and runs from /, says why once, and the manifest records it', async () => {
    const link = await inWork('box-link', ['--image', 'img', '--workdir', '/app', '-o', `${program}.s.box.wasm`, `${program}_stripped.wasm`]);
    expect(link.status).toBe(0);
    expect(link.stderr).toBe('box-link: workdir /app is not applied, the program starts in /: the program has no name section (stripped), so its chdir cannot be found\n');
    expect(readManifest(readFileSync(join(work, `${program}.s.box.wasm`))).workdirNotApplied).toMatch(/no name section/);
    expect(await boxRun([`${program}.s.box.wasm`])).toMatchObject({ status: 0, stdout: 'cwd /\nnote.txt missing\n', stderr: '' });
    const moved = await boxRun(['-w', '/tmp', `${program}.s.box.wasm`]);
    expect(moved).toMatchObject({ status: 0, stdout: 'cwd /\nnote.txt missing\n' });
    expect(moved.stderr).toBe('box run: -w /tmp is not applied, the program starts in /: the program has no name section (stripped), so its chdir cannot be found\n');
  });
});

describe.each(['cwd', 'cwd_rust'])('%s starts in the working directory in dynamic mode too (a --portable box)', (program) => {
  it('in the image, with -w, after --commit and on a host mount: the same as the static box', async () => {
    expect(await inWork('box-link', ['--portable', '--image', 'img', '--workdir', '/app', '-o', `${program}.p.box.wasm`, `${program}.wasm`])).toMatchObject({ status: 0, stderr: '' });
    expect(await boxRun(['--mode', 'dynamic', `${program}.p.box.wasm`])).toMatchObject({ status: 0, stdout: 'cwd /app\nnote.txt in the image\n', stderr: '' });
    expect((await boxRun(['--mode', 'dynamic', '-w', '/tmp', `${program}.p.box.wasm`])).stdout).toBe('cwd /tmp\nnote.txt missing\n');
    const committed = await boxRun(['--mode', 'dynamic', '--commit', `${program}.p.after.box.wasm`, `${program}.p.box.wasm`]);
    expect(committed.status, committed.stderr).toBe(0);
    const after = decodeImage(configSegments(readFileSync(join(work, `${program}.p.after.box.wasm`)), 'vfs')!);
    expect(after.map((e) => e.path)).toContain('/app/out.txt');
    expect(after.map((e) => e.path)).not.toContain('/out.txt');
    const out = join(work, 'host/out.txt');
    rmSync(out, { force: true });
    expect((await inWork('box-link', ['--portable', '--mount-point', '/data', '--workdir', '/data', '-o', `${program}.pm.box.wasm`, `${program}.wasm`])).status).toBe(0);
    expect(await boxRun(['--mode', 'dynamic', '--dir', 'host:/data', `${program}.pm.box.wasm`])).toMatchObject({ status: 0, stdout: 'cwd /data\nnote.txt on the host\n' });
    expect(readFileSync(out, 'utf8')).toBe('written\n');
  });

  it('stripped: runs from / in dynamic mode as in static mode', async () => {
    expect((await inWork('box-link', ['--portable', '--image', 'img', '--workdir', '/app', '-o', `${program}.ps.box.wasm`, `${program}_stripped.wasm`])).status).toBe(0);
    expect(await boxRun(['--mode', 'dynamic', `${program}.ps.box.wasm`])).toMatchObject({ status: 0, stdout: 'cwd /\nnote.txt missing\n', stderr: '' });
  });
});

describe('box run --entrypoint', () => {
  it('another program of the box starts in its workdir too, or says why not', async () => {
    const img = mkdtempSync(join(work, 'img-'));
    mkdirSync(join(img, 'app'));
    writeFileSync(join(img, 'app/note.txt'), 'in the image\n');
    copyFileSync(join(work, 'cwd_rust.wasm'), join(img, 'rust.wasm'));
    copyFileSync(join(work, 'cwd_stripped.wasm'), join(img, 'stripped.wasm'));
    expect((await inWork('box-link', ['--image', img, '--workdir', '/app', '-o', 'multi.box.wasm', 'cwd.wasm'])).status).toBe(0);
    expect(await boxRun(['--entrypoint', '/rust.wasm', 'multi.box.wasm'])).toMatchObject({ status: 0, stdout: 'cwd /app\nnote.txt in the image\n', stderr: '' });
    const stripped = await boxRun(['--entrypoint', '/stripped.wasm', 'multi.box.wasm']);
    expect(stripped).toMatchObject({ status: 0, stdout: 'cwd /\nnote.txt missing\n' });
    expect(stripped.stderr).toMatch(/^box run: --entrypoint \/stripped\.wasm: workdir \/app is not applied, the program starts in \/: .*no name section.*\n$/);
  });
});

describe('box build', () => {
  it('WORKDIR applies to the built program; relative paths resolve from it', async () => {
    const ctx = mkdtempSync(join(work, 'ctx-'));
    copyFileSync(join(root, 'conformance/programs/cwd.wasm'), join(ctx, 'cwd.wasm'));
    writeFileSync(join(ctx, 'note.txt'), 'copied by the build\n');
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nWORKDIR /srv/app\nCOPY note.txt .\nCOPY cwd.wasm /bin/cwd\nENTRYPOINT ["/bin/cwd"]\n');
    const built = await inWork('box', ['build', '--no-cache', '-o', 'built.box.wasm', ctx]);
    expect(built.status).toBe(0);
    expect(built.stderr).not.toMatch(/not applied/);
    expect((await boxRun(['built.box.wasm'])).stdout).toBe('cwd /srv/app\nnote.txt copied by the build\n');
  });

  it('RUN starts its program in WORKDIR', () => {
    const ctx = mkdtempSync(join(work, 'ctx-'));
    copyFileSync(join(root, 'conformance/programs/cwd.wasm'), join(ctx, 'cwd.wasm'));
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY cwd.wasm /bin/cwd\nWORKDIR /work\nRUN ["/bin/cwd"]\nENTRYPOINT ["/bin/cwd"]\n');
    const built = cli('box', ['build', '--no-cache', '-o', 'run.box.wasm', ctx]);
    expect(built.status).toBe(0);
    expect(built.stderr).toMatch(/^cwd \/work$/m); // RUN's output goes to stderr
    const image = decodeImage(configSegments(readFileSync(join(work, 'run.box.wasm')), 'vfs')!);
    expect(image.map((e) => e.path)).toContain('/work/out.txt');
  });

  it('a program without chdir builds, with one line saying so', async () => {
    const ctx = mkdtempSync(join(work, 'ctx-'));
    copyFileSync(join(root, 'conformance/programs/dir_dump.wasm'), join(ctx, 'dump.wasm'));
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nWORKDIR /w\nCOPY dump.wasm /dump\nENTRYPOINT ["/dump"]\n');
    const built = await inWork('box', ['build', '--no-cache', '-o', 'dump.box.wasm', ctx]);
    expect(built.status).toBe(0);
    expect(built.stderr.match(/workdir \/w is not applied/g)).toHaveLength(1);
    expect(readManifest(readFileSync(join(work, 'dump.box.wasm'))).workdirNotApplied).toMatch(/does not contain chdir/);
  });
});
