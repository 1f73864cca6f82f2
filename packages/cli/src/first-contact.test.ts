// What a new user meets first (issue 18): mounts named with a trailing
// slash, outputs that cannot be written, a sealed box given arguments.
// Each case once failed silently or as "internal error".

import { spawn, spawnSync } from 'node:child_process';
import { cliInProcess } from './cli-harness.ts';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const program = (name: string) => join(root, 'conformance/programs', `${name}.wasm`);
const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'box-first-contact-'));
  mkdirSync(join(work, 'data'));
  writeFileSync(join(work, 'data', 'notes.txt'), 'hello\n');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The bin, spawned: where the process is what a case checks (box conformance's child writes to the process's stderr). */
function cli(name: 'box' | 'box-link', args: string[]) {
  const r = spawnSync(process.execPath, [bin(name), ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI in this process (cli-harness.ts), its relative paths taken from the work folder as the spawned bin's are. */
const inWork = (name: 'box' | 'box-link', args: string[]) => cliInProcess(name, args, { cwd: work });

const links = new Map<string, Promise<string>>();

/**
 * Links once per box (the cases of an it.each share it), through the
 * bundle's main() in this process (cli-harness.ts): linking is not what
 * these tests check.
 */
function link(name: string, flags: string[], out: string): Promise<string> {
  const key = JSON.stringify([name, flags, out]);
  let made = links.get(key);
  if (!made) {
    made = cliInProcess('box-link', [...flags, '-o', join(work, out), program(name)]).then((r) => {
      expect(r.status, r.stderr).toBe(0);
      return join(work, out);
    });
    links.set(key, made);
  }
  return made;
}

function oneLine(r: { stderr: string }, pattern: RegExp): void {
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('--dir with a trailing slash names the same directory', () => {
  it.each(['data', 'data/', './data/', 'data//'])('--dir %s on a box without a filesystem', async (spec) => {
    const box = await link('dir_dump', [], 'plain.box.wasm');
    const r = await inWork('box', ['run', '--dir', spec, box, 'data']);
    expect(r.stdout).toBe('data/notes.txt: hello\n');
    expect(r.status).toBe(0);
  });

  it.each(['/docs', '/docs/', '//docs//'])('--dir data:%s at a mount point /docs', async (guest) => {
    const box = await link('dir_dump', ['--fs', '--mount-point', '/docs'], 'mount.box.wasm');
    const r = await inWork('box', ['run', '--dir', `data:${guest}`, box, '/docs']);
    expect(r.stdout).toBe('/docs/notes.txt: hello\n');
    expect(r.status).toBe(0);
  });

  it('refuses a guest path with .. in one line', async () => {
    const box = await link('dir_dump', [], 'plain2.box.wasm');
    const r = await inWork('box', ['run', '--dir', 'data:/a/../docs', box]);
    expect(r.status).toBe(125);
    oneLine(r, /^box run: --dir data:\/a\/\.\.\/docs: the guest path may not contain "\.\."/);
  });
});

describe('outputs that cannot be written are said at once, in one line', () => {
  const missing = '/nonexistent-marcotte-dir/out';
  it.each([
    ['box-link', () => ['box-link', ['-o', `${missing}.box.wasm`, program('dir_dump')]] as const],
    ['box build', () => ['box', ['build', '-o', `${missing}.box.wasm`, join(root, 'examples/hello')]] as const],
    ['box export', async () => ['box', ['export', '--oci', `${missing}.tar`, await link('dir_dump', [], 'e.box.wasm')]] as const],
    ['box conformance --json', () => ['box', ['conformance', '--suite', work, '--json', `${missing}.json`]] as const],
  ])('%s', async (_, make) => {
    const [name, args] = await make();
    // box conformance runs @marcotte/conformance's own command as a child, whose stderr is the process's
    const r = name === 'box' && args[0] === 'conformance' ? cli(name, [...args]) : await cliInProcess(name, [...args]);
    expect(r.status).toBe(2);
    oneLine(r, /cannot write \/nonexistent-marcotte-dir\/out\.[\w.]+: its directory does not exist/);
  });

  it('box conformance --suite of a missing directory', () => {
    const r = cli('box', ['conformance', '--suite', '/nonexistent-marcotte-dir']);
    expect(r.status).toBe(2);
    oneLine(r, /^box conformance: --suite \/nonexistent-marcotte-dir: no such directory\n$/);
  });

  it('box run --commit to a missing directory refuses before the program runs', async () => {
    const box = await link('append_state', ['--fs'], 'state.box.wasm');
    const r = await cliInProcess('box', ['run', '--commit', `${missing}.box.wasm`, box, '5']);
    expect(r.status).toBe(125);
    expect(r.stdout).toBe('');
    oneLine(r, /^box run: --commit: cannot write .*: its directory does not exist\n$/);
  });

  it('box-link -o a directory', async () => {
    const r = await inWork('box-link', ['-o', join(work, 'data'), program('dir_dump')]);
    expect(r.status).toBe(2);
    oneLine(r, /cannot write .*data: is a directory/);
    expect(existsSync(join(work, 'data', 'notes.txt'))).toBe(true);
  });

  it('box-link streams its box into -o only once linking has worked: a program it refuses leaves an existing file as it was', async () => {
    const out = join(work, 'keep.box.wasm');
    writeFileSync(out, 'the box from before\n');
    const missing = await inWork('box-link', ['-o', out, join(work, 'no-such-program.wasm')]);
    expect(missing.status).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('the box from before\n');
    // well formed for the linker's reader, refused by the engine: a body whose i32.add has no operands
    writeFileSync(join(work, 'invalid.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0x6a, 0x0b]));
    const refused = await inWork('box-link', ['-o', out, join(work, 'invalid.wasm')]);
    expect(refused.status).toBe(2);
    oneLine(refused, /is not a valid WebAssembly module/);
    expect(readFileSync(out, 'utf8')).toBe('the box from before\n');
    const linked = await inWork('box-link', ['-o', out, program('dir_dump')]);
    expect(linked.status, linked.stderr).toBe(0);
    expect(WebAssembly.validate(readFileSync(out))).toBe(true);
  });
});

describe('stdout into a slow pipe', () => {
  // poll_cat polls stdout first: node:wasi's poll (uv_poll_init) leaves the host fd non-blocking, and
  // its writes into the full pipe answered EAGAIN (65,536 bytes arrived, exit 1), in a worker too.
  // The three cases mostly wait (each reader starts a second late), so they run concurrently, on
  // boxes and an input linked and written before them.
  const bytes = Buffer.alloc(3 << 20);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
  const big = () => join(work, 'big');
  beforeAll(async () => {
    writeFileSync(big(), bytes);
    for (const name of ['cat', 'poll_cat']) await link(name, [], `${name}.box.wasm`);
  });
  it.concurrent.for([
    ['cat', []],
    ['poll_cat', []],
    ['poll_cat', ['--timeout', '60']],
  ] as const)('loses no byte: the box waits for the reader (box run %s %j < big | slow)', async ([name, flags], { expect }) => {
    const box = await link(name, [], `${name}.box.wasm`);
    const input = openSync(big(), 'r');
    const child = spawn(process.execPath, [bin('box'), 'run', ...flags, box], { cwd: work, stdio: [input, 'pipe', 'pipe'] });
    closeSync(input); // the child has its own
    const stdout = child.stdout!;
    // The reader starts late: the pipe is full long before it does.
    stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const chunks: Buffer[] = [];
    stdout.on('data', (d: Buffer) => chunks.push(d));
    stdout.resume();
    const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(status).toBe(0);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });
});

describe('polling stdio that is a file or /dev/null', () => {
  it('answers ready, as POSIX poll and wasmtime do (node:wasi answered EPERM): box run x < /dev/null > out.txt', async () => {
    const test = join(root, '../shared/wasi-testsuite/tests/rust/testsuite/wasm32-wasip1/poll_oneoff_stdio.wasm');
    const box = join(work, 'poll.box.wasm');
    expect((await cliInProcess('box-link', ['-o', box, test])).status).toBe(0);
    const out = join(work, 'poll-out.txt');
    const r = spawnSync(process.execPath, [bin('box'), 'run', box], { cwd: work, stdio: [openSync('/dev/null', 'r'), openSync(out, 'w'), 'pipe'], encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^writable subs: /);
  });
});

describe('a sealed box given run-time settings', () => {
  it('says once on stderr that it ignores them, and runs with what it baked', async () => {
    const box = await link('dir_dump', ['--sealed', '--fs'], 'sealed.box.wasm');
    const r = await cliInProcess('box', ['run', '-e', 'A=1', box, '/data']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^box run: .*sealed\.box\.wasm is sealed \(argv and env baked at link time\): ignoring its arguments and -e\/--env-file\n/);
    expect(r.stderr.match(/is sealed/g)).toHaveLength(1);
  });
});
