import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { runBox } from './node.ts';

const escape = readFileSync(new URL('../test/hostescape.wasm', import.meta.url));

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
  const box = link(escape, { capabilities: [kernel], entrypoint: 'hostescape', args: [], env: [], portable: mode === 'dynamic' }).bytes;
  const chunks: Uint8Array[] = [];
  const { exitCode } = await runBox(box, { dirs: [['/m', mount]], mode, onOutput: (_fd, bytes) => chunks.push(bytes.slice()) });
  expect(exitCode).toBe(0);
  return Buffer.concat(chunks).toString();
}

// What wasmtime answers: every way out is ENOTCAPABLE (a loop is ELOOP), the
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
symlink /canary/secret.txt -> newabs: ENOTCAPABLE
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
