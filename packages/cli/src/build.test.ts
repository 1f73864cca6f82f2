// box build on the command line: exit codes and one-line errors (DESIGN.md §5).

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '@marcotte/abi';
import { cliInProcess } from './cli-harness.ts';

const root = new URL('../../../', import.meta.url).pathname;
const bin = new URL('../bin/box.js', import.meta.url).pathname;
const fsop = join(root, 'packages/builder/test/fixtures/fsop.wasm');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-build-cli-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function box(args: string[], nodeOptions: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeOptions, bin, ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE, CI: 'true' }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `box ARGS` in this process (cli-harness.ts), paths absolute: for the cases whose process is not
 * what they test. The spawned bin stays where it is: the default output in the working directory,
 * the peak memory of a process, a RUN whose program writes to the process's own stderr.
 */
const inProcess = (args: string[]) => cliInProcess('box', args);

/** A ustar header for one file of `size` bytes. */
function tarHeader(name: string, size: number): Uint8Array {
  const h = new Uint8Array(512);
  const put = (at: number, s: string) => h.set(new TextEncoder().encode(s), at);
  const octal = (v: number, width: number) => `${v.toString(8).padStart(width - 1, '0')}\0`;
  put(0, name); put(100, octal(0o644, 8)); put(108, octal(0, 8)); put(116, octal(0, 8)); put(124, octal(size, 12)); put(136, octal(0, 12));
  put(148, '        '); put(156, '0'); put(257, 'ustar\0'); put(263, '00');
  put(148, octal(h.reduce((a, b) => a + b, 0), 7));
  return h;
}

/**
 * A gzip bomb of about 4 MB that unpacks to a 4 GiB tar: a header, then the
 * same 16 MiB of zeros as 256 gzip members (gunzip reads them as one stream).
 */
function gzipBomb(): Uint8Array {
  const zeros = gzipSync(new Uint8Array(16 * 1024 * 1024), { level: 9 });
  return Buffer.concat([gzipSync(tarHeader('zeros', 4 * 1024 ** 3)), ...Array.from({ length: 256 }, () => zeros)]);
}

function context(dockerfile: string): string {
  const dir = mkdtempSync(join(work, 'ctx-'));
  copyFileSync(fsop, join(dir, 'fsop.wasm'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

describe('box build', () => {
  it('builds examples/hello into CONTEXT-name.box.wasm, which box run runs', () => {
    const r = box(['build', '--no-cache', join(root, 'examples/hello')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^#2 \[2\/6\] COPY hello\.wasm \/bin\/hello$/m);
    expect(r.stderr).toMatch(/box build: wrote hello\.box\.wasm/);
    expect(readManifest(readFileSync(join(work, 'hello.box.wasm'))).entrypoint).toBe('/bin/hello');
    const run = box(['run', 'hello.box.wasm']);
    expect(run.stdout).toMatch(/^Bonjour from inside a box!\nargv\[0\] = \/bin\/hello\nargv\[1\] = from a Dockerfile\n/);
  });

  it.each([
    ['FROM scratch\nHEALTHCHECK CMD ["/x"]\n', /^Dockerfile:2: unsupported instruction HEALTHCHECK/],
    ['FROM scratch\nCOPY missing.txt /\n', /^Dockerfile:2: missing\.txt: not found in the build context/],
    ['FROM scratch\nCOPY ../outside /\n', /^Dockerfile:2: \.\.\/outside: path escapes the build context$/],
    ['FROM scratch\nENTRYPOINT /bin/kv list\n', /^Dockerfile:2: ENTRYPOINT in shell form needs \/bin\/sh \(a WASI shell\) in the image; use the exec form, such as ENTRYPOINT \["\/bin\/kv", "list"\]$/],
  ])('bad input exits 2 with one line: %j', async (dockerfile, pattern) => {
    const out = join(work, 'never.box.wasm');
    const r = await inProcess(['build', '-o', out, '--no-cache', context(dockerfile)]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(existsSync(out)).toBe(false);
  });

  it('a context that does not exist: one line with the tool\'s name, exit 2 (issue 18, point 6)', async () => {
    const r = await inProcess(['build', '-o', join(work, 'never.box.wasm'), '--no-cache', '/nonexistent-marcotte-dir']);
    expect(r).toMatchObject({ status: 2, stderr: 'box build: cannot read /nonexistent-marcotte-dir/Dockerfile: no such file\n' });
  });

  it('ADD of a gzip bomb: one line, exit 2, nothing written, the memory bounded by the limit (issue 16, finding 8)', async () => {
    const dir = context('FROM scratch\nADD bomb.tar.gz /x/\nCOPY fsop.wasm /fsop\nENTRYPOINT ["/fsop"]\n');
    writeFileSync(join(dir, 'bomb.tar.gz'), gzipBomb());
    const out = join(work, 'bomb.box.wasm');
    // the peak resident memory, printed as the CLI exits (the bomb took 5.3 GB before there was a limit)
    const rss = ['--import', 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss "+process.resourceUsage().maxRSS+"\\n"))'];
    const r = box(['build', '--no-cache', '-o', out, dir], rss);
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('#') && !l.startsWith('maxrss '));
    expect(lines).toEqual(['Dockerfile:2: ADD bomb.tar.gz: it unpacks to more than 256.0 MiB, the limit (box build --max-unpack raises it)']);
    const kib = Number(/^maxrss (\d+)$/m.exec(r.stderr)![1]);
    expect(kib).toBeLessThan(1024 * 1024); // the limit, its copy and Node itself: well under 1 GiB
    expect(existsSync(out)).toBe(false);
    // a lower limit from the command line
    const low = await inProcess(['build', '--no-cache', '--max-unpack', '1m', '-o', out, dir]);
    expect(low.status).toBe(2);
    expect(low.stderr).toMatch(/^Dockerfile:2: ADD bomb\.tar\.gz: it unpacks to more than 1\.0 MiB, the limit/m);
    expect(existsSync(out)).toBe(false);
    for (const [size, message] of [['lots', 'expects a size such as 65536 or 64k, got "lots"'], ['0', 'expects a positive size such as 512m, got "0"']]) {
      const bad = await inProcess(['build', '--max-unpack', size!, dir]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toBe(`box build: --max-unpack ${message}\n`);
    }
  });

  it('--vfs-* bake the vfs limits into the box (issue 16: metadata had no limit, and no flag set one)', async () => {
    const dir = mkdtempSync(join(work, 'ctx-'));
    copyFileSync(join(root, 'conformance/programs/fill_names.wasm'), join(dir, 'fill.wasm'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY fill.wasm /fill\nENTRYPOINT ["/fill"]\n');
    const fill = join(work, 'fill.box.wasm');
    expect((await inProcess(['build', '--no-cache', '--vfs-max-meta', '64k', '-o', fill, dir])).status).toBe(0);
    const made = /^symlinks: (\d+) then No space left on device\n$/.exec((await inProcess(['run', fill, 'symlinks'])).stdout);
    expect(Number(made?.[1])).toBeGreaterThan(5);
    expect(Number(made?.[1])).toBeLessThan(17);
    const bad = await inProcess(['build', '--vfs-max-handles', '0', dir]);
    expect(bad).toMatchObject({ status: 2, stderr: 'box build: --vfs-max-handles must be from 1 to 2147483647, got 0\n' });
  });

  it('a failing RUN exits 1', () => {
    const r = box(['build', '--no-cache', '-o', 'x.box.wasm', context('FROM scratch\nCOPY fsop.wasm /fsop\nRUN ["/fsop", "exit", "7"]\n')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Dockerfile:3: RUN \["\/fsop", "exit", "7"\] exited with 7$/m);
  });

  it('usage errors exit 2; --help prints the usage', async () => {
    expect((await inProcess(['build'])).status).toBe(2);
    expect((await inProcess(['build', '--deny', 'everything', '.'])).stderr).toMatch(/--deny everything: unknown capability/);
    const help = await inProcess(['build', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: box build \[OPTIONS\] CONTEXT/);
  });
});
