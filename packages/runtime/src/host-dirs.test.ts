import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import * as abi from '@marcotte/abi';
import { runBox } from './node.ts';
import { hostDirectories, OPENED_FD_BASE } from './host-dirs.ts';

const escapeWasm = readFileSync(new URL('../test/hostescape.wasm', import.meta.url));

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'box-hostdirs-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/**
 * A canary outside the mount, and a mount full of ways out: a link to the
 * canary's directory by absolute path, to the file by absolute and relative
 * paths, a chain, a loop, a link one directory down that climbs two, a
 * dangling link whose target is outside.
 */
function tree(): { mount: string; canary: string } {
  const canary = join(work, 'canary');
  const mount = join(work, 'mount');
  mkdirSync(canary);
  writeFileSync(join(canary, 'secret.txt'), 'CANARY');
  mkdirSync(join(mount, 'sub'), { recursive: true });
  writeFileSync(join(mount, 'file.txt'), 'inside');
  symlinkSync(canary, join(mount, 'etclink'));
  symlinkSync(join(canary, 'secret.txt'), join(mount, 'abs'));
  symlinkSync('../canary/secret.txt', join(mount, 'rel'));
  symlinkSync('../canary', join(mount, 'reldir'));
  symlinkSync('chain2', join(mount, 'chain1'));
  symlinkSync('rel', join(mount, 'chain2'));
  symlinkSync('loop2', join(mount, 'loop1'));
  symlinkSync('loop1', join(mount, 'loop2'));
  symlinkSync('../../canary/secret.txt', join(mount, 'sub', 'up'));
  symlinkSync('sub', join(mount, 'inside'));
  symlinkSync('../canary/new.txt', join(mount, 'dangling'));
  return { mount, canary };
}

async function run(mode: 'static' | 'dynamic', mount: string): Promise<string> {
  const box = link(escapeWasm, { capabilities: [kernel], entrypoint: 'hostescape', args: [], env: [], portable: mode === 'dynamic' }).bytes;
  const chunks: Uint8Array[] = [];
  const { exitCode } = await runBox(box, { dirs: [['/m', mount]], mode, onOutput: (_fd, bytes) => chunks.push(bytes.slice()) });
  expect(exitCode).toBe(0);
  return Buffer.concat(chunks).toString();
}

// What wasmtime answers: every way out is ENOTCAPABLE (a loop is ELOOP; creating an
// absolute symlink EPERM, as the vfs answers too), the
// last symlink itself is reachable without following it, and nothing outside
// the mount is read, created or changed.
const EXPECTED = `\
read etclink/secret.txt: ENOTCAPABLE
read-nofollow etclink/secret.txt: ENOTCAPABLE
stat etclink/secret.txt: ENOTCAPABLE
stat-nofollow etclink/secret.txt: ENOTCAPABLE
times etclink/secret.txt: ENOTCAPABLE
read abs: ENOTCAPABLE
read-nofollow abs: ELOOP
stat abs: ENOTCAPABLE
stat-nofollow abs: ok
times abs: ENOTCAPABLE
read rel: ENOTCAPABLE
read-nofollow rel: ELOOP
stat rel: ENOTCAPABLE
stat-nofollow rel: ok
times rel: ENOTCAPABLE
read reldir/secret.txt: ENOTCAPABLE
read-nofollow reldir/secret.txt: ENOTCAPABLE
stat reldir/secret.txt: ENOTCAPABLE
stat-nofollow reldir/secret.txt: ENOTCAPABLE
times reldir/secret.txt: ENOTCAPABLE
read chain1: ENOTCAPABLE
read-nofollow chain1: ELOOP
stat chain1: ENOTCAPABLE
stat-nofollow chain1: ok
times chain1: ENOTCAPABLE
read sub/up: ENOTCAPABLE
read-nofollow sub/up: ELOOP
stat sub/up: ENOTCAPABLE
stat-nofollow sub/up: ok
times sub/up: ENOTCAPABLE
read inside/up: ENOTCAPABLE
read-nofollow inside/up: ELOOP
stat inside/up: ENOTCAPABLE
stat-nofollow inside/up: ok
times inside/up: ENOTCAPABLE
read ../canary/secret.txt: ENOTCAPABLE
read-nofollow ../canary/secret.txt: ENOTCAPABLE
stat ../canary/secret.txt: ENOTCAPABLE
stat-nofollow ../canary/secret.txt: ENOTCAPABLE
times ../canary/secret.txt: ENOTCAPABLE
read /canary/secret.txt: ENOTCAPABLE
read-nofollow /canary/secret.txt: ENOTCAPABLE
stat /canary/secret.txt: ENOTCAPABLE
stat-nofollow /canary/secret.txt: ENOTCAPABLE
times /canary/secret.txt: ENOTCAPABLE
read loop1: ELOOP
read-nofollow loop1: ELOOP
stat loop1: ELOOP
stat-nofollow loop1: ok
times loop1: ELOOP
read inside/../file.txt: ok inside
read-nofollow inside/../file.txt: ok inside
stat inside/../file.txt: ok
stat-nofollow inside/../file.txt: ok
times inside/../file.txt: ok
read sub/../file.txt: ok inside
read-nofollow sub/../file.txt: ok inside
stat sub/../file.txt: ok
stat-nofollow sub/../file.txt: ok
times sub/../file.txt: ok
write etclink/secret.txt: ENOTCAPABLE
write-nofollow etclink/secret.txt: ENOTCAPABLE
write abs: ENOTCAPABLE
write-nofollow abs: ELOOP
write rel: ENOTCAPABLE
write-nofollow rel: ELOOP
write reldir/new.txt: ENOTCAPABLE
write-nofollow reldir/new.txt: ENOTCAPABLE
write chain1: ENOTCAPABLE
write-nofollow chain1: ELOOP
write sub/up: ENOTCAPABLE
write-nofollow sub/up: ELOOP
write dangling: ENOTCAPABLE
write-nofollow dangling: ELOOP
readlink abs: ok ${'CANARY_DIR'}/secret.txt
readlink rel: ok ../canary/secret.txt
readlink etclink/secret.txt: ENOTCAPABLE
mkdir etclink/newdir: ENOTCAPABLE
unlink etclink/secret.txt: ENOTCAPABLE
rmdir reldir: ENOTDIR
rename file.txt -> etclink/stolen: ENOTCAPABLE
rename etclink/secret.txt -> stolen: ENOTCAPABLE
link etclink/secret.txt -> hard: ENOTCAPABLE
link-follow abs -> hard: ENOTCAPABLE
link file.txt -> reldir/hard: ENOTCAPABLE
symlink x -> etclink/s: ENOTCAPABLE
symlink /canary/secret.txt -> newabs: EPERM
open-dir sub: ok
sub read ../file.txt: ENOTCAPABLE
times 0xffff file.txt: EINVAL
stat after file.txt: ok
open file.txt: ok
fd times 0xffff file.txt: EINVAL
read after file.txt: ok inside
`;

describe('host directories (box run --dir) are confined to the mount', () => {
  for (const mode of ['static', 'dynamic'] as const) {
    it(`refuses every symlink and path out of the mount, and leaves the canary untouched (${mode})`, async () => {
      const { mount, canary } = tree();
      const before = statSync(join(canary, 'secret.txt'), { bigint: true });
      const out = await run(mode, mount);
      expect(out).toBe(EXPECTED.replace('CANARY_DIR', canary));
      expect(out).not.toContain('CANARY\n');
      expect(readdirSync(canary)).toEqual(['secret.txt']);
      const after = statSync(join(canary, 'secret.txt'), { bigint: true });
      expect(readFileSync(join(canary, 'secret.txt'), 'utf8')).toBe('CANARY');
      expect([after.mtimeNs, after.ctimeNs, after.size]).toEqual([before.mtimeNs, before.ctimeNs, before.size]);
      // The mount itself holds no new name either: every attempt above failed before creating anything.
      expect(readdirSync(mount).sort()).toEqual(['abs', 'chain1', 'chain2', 'dangling', 'etclink', 'file.txt', 'inside', 'loop1', 'loop2', 'rel', 'reldir', 'sub']);
    });
  }
});

/** The driver over `dir` mounted as /m, called directly, with a scratch memory and a lower host that records what reaches it. */
function driver(dir: string) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const lower: string[] = [];
  const record = (name: string) => (...args: unknown[]) => {
    lower.push(`${name}(${args[0]})`);
    return abi.ERRNO_NOSYS;
  };
  const names = ['fd_prestat_get', 'fd_close', 'fd_readdir', 'path_open', 'fd_read', 'fd_write'];
  const { imports, close } = hostDirectories([['/m', dir]], Object.fromEntries(names.map((n) => [n, record(n)])) as never, () => memory);
  const call = (name: string, ...args: unknown[]): number => (imports[name] as (...a: unknown[]) => number)(...args);
  const view = () => new DataView(memory.buffer);
  const put = (at: number, text: string): number => {
    new Uint8Array(memory.buffer).set(Buffer.from(text), at);
    return Buffer.byteLength(text);
  };
  return { call, view, put, lower, memory, close };
}

/** The dirents in `len` bytes at `at`: name, cookie (d_next) and inode. */
function dirents(view: DataView, at: number, len: number): Array<[string, bigint, bigint]> {
  const out: Array<[string, bigint, bigint]> = [];
  for (let p = at; p + 24 <= at + len;) {
    const namlen = view.getUint32(p + 16, true);
    out.push([Buffer.from(view.buffer, p + 24, namlen).toString(), view.getBigUint64(p, true), view.getBigUint64(p + 8, true)]);
    p += 24 + namlen;
  }
  return out;
}

describe('the host-directory driver', () => {
  it('lists "." and ".." first with cookies 1 and 2; the mount root is its own parent, whichever fd names it', () => {
    const { mount } = tree();
    const d = driver(mount);
    try {
      const rootIno = statSync(mount, { bigint: true }).ino;
      expect(d.call('fd_readdir', 3, 1024, 4096, 0n, 0)).toBe(0);
      const listed = dirents(d.view(), 1024, d.view().getUint32(0, true));
      expect(listed.slice(0, 2)).toEqual([['.', 1n, rootIno], ['..', 2n, rootIno]]);
      expect(listed.slice(2).map(([name, cookie]) => [name, cookie])).toEqual(readdirSync(mount).map((name, i) => [name, BigInt(i + 3)]));
      // Resuming from a cookie skips what came before it.
      expect(d.call('fd_readdir', 3, 1024, 4096, 2n, 0)).toBe(0);
      expect(dirents(d.view(), 1024, d.view().getUint32(0, true)).map(([name]) => name)).toEqual(readdirSync(mount));
      // "." reopened is the root too; "sub" has the root as its parent.
      for (const [path, parent] of [['.', rootIno], ['sub', rootIno]] as const) {
        const len = d.put(2048, path);
        expect(d.call('path_open', 3, 0, 2048, len, abi.OFLAGS_DIRECTORY, abi.RIGHTS_FD_READDIR, 0n, 0, 0)).toBe(0);
        const fd = d.view().getUint32(0, true);
        expect(fd).toBeGreaterThanOrEqual(OPENED_FD_BASE);
        expect(d.call('fd_readdir', fd, 1024, 4096, 0n, 0)).toBe(0);
        expect(dirents(d.view(), 1024, d.view().getUint32(0, true))[1]).toEqual(['..', 2n, parent]);
      }
    } finally {
      d.close();
    }
  });

  it('answers for its own fds only: a closed preopen is EBADF, not the lower host; other fds go to the lower host', () => {
    const { mount } = tree();
    const d = driver(mount);
    try {
      expect(d.call('fd_prestat_get', 3, 0)).toBe(0);
      expect(d.view().getUint32(4, true)).toBe(2);
      expect(d.call('fd_close', 3)).toBe(0);
      expect(d.call('fd_prestat_get', 3, 0)).toBe(abi.ERRNO_BADF);
      expect(d.call('path_open', 3, 0, 0, 1, 0, 0n, 0n, 0, 0)).toBe(abi.ERRNO_BADF);
      expect(d.call('fd_read', OPENED_FD_BASE + 7, 0, 0, 0)).toBe(abi.ERRNO_BADF);
      expect(d.lower).toEqual([]);
      expect(d.call('fd_prestat_get', 4, 0)).toBe(abi.ERRNO_NOSYS);
      expect(d.call('fd_write', 1, 0, 0, 0)).toBe(abi.ERRNO_NOSYS);
      expect(d.lower).toEqual(['fd_prestat_get(4)', 'fd_write(1)']);
    } finally {
      d.close();
    }
  });

  it('sets times to the nanosecond, on a name (not following it) and on a directory named by "."', () => {
    const { mount } = tree();
    const d = driver(mount);
    try {
      for (const [path, host, mtim] of [['sub/.', 'sub', 1_234_567_890_123_456_789n], ['inside', 'inside', 1_300_000_000_000_000_001n], ['file.txt', 'file.txt', 7n]] as const) {
        const len = d.put(2048, path);
        const before = lstatSync(join(mount, host), { bigint: true });
        expect(d.call('path_filestat_set_times', 3, 0, 2048, len, 0n, mtim, abi.FSTFLAGS_MTIM)).toBe(0);
        const after = lstatSync(join(mount, host), { bigint: true });
        expect(after.mtimeNs).toBe(mtim);
        // "inside" is a symlink: its own times changed, not those of the directory it names.
        if (path === 'inside') expect(statSync(join(mount, 'sub'), { bigint: true }).mtimeNs).toBe(1_234_567_890_123_456_789n);
        else expect(after.atimeNs).toBe(before.atimeNs);
      }
    } finally {
      d.close();
    }
  });

  it('refuses a pointer outside the memory with EFAULT, and a write right on a directory with EISDIR', () => {
    const { mount } = tree();
    const d = driver(mount);
    try {
      expect(d.call('fd_readdir', 3, 65536 - 8, 64, 0n, 0)).toBe(abi.ERRNO_FAULT);
      expect(d.call('path_open', 3, 0, 65530, 100, 0, 0n, 0n, 0, 0)).toBe(abi.ERRNO_FAULT);
      const len = d.put(2048, '.');
      expect(d.call('path_open', 3, 0, 2048, len, abi.OFLAGS_DIRECTORY, abi.RIGHTS_FD_READ | abi.RIGHTS_FD_WRITE, 0n, 0, 0)).toBe(abi.ERRNO_ISDIR);
      expect(d.call('fd_prestat_dir_name', 3, 0, 1)).toBe(abi.ERRNO_NAMETOOLONG);
    } finally {
      d.close();
    }
  });
});
