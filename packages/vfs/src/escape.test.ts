// Escape tests: no path, however built from "..", ".", symlinks (relative,
// absolute, chains, loops), absolute paths and trailing slashes, and no
// rename of a directory that has an open handle, lets a lookup reach a node
// outside the directory it started from (DESIGN.md §4), except through an
// absolute symlink, which resolves from the box root and never above it.
// The oracle is independent of resolve.ts: the inode numbers that lie below
// the start directory, listed through readdir.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERRNO_SUCCESS, OFLAGS_CREAT, OFLAGS_DIRECTORY, RIGHTS_FD_READ, RIGHTS_FD_WRITE } from '@marcotte/abi';
import { type Harness, type Stat, dir, file, symlink, vfsHarness } from '../test/harness.ts';

/** A jail whose symlinks are all relative: nothing reached from its handle may lie outside it. */
const JAIL = [
  file('/secret', 'OUTSIDE'),
  dir('/other/deep'),
  file('/jail/inside', 'INSIDE'),
  dir('/jail/sub/subsub'),
  file('/jail/sub/f', 'F'),
  symlink('/jail/up', '../secret'),
  symlink('/jail/upup', '../../other'),
  symlink('/jail/ok', 'sub/../inside'),
  symlink('/jail/back', 'sub/../../jail/inside'), // leaves the jail and comes back: still refused
  symlink('/jail/loop', 'loop2'),
  symlink('/jail/loop2', 'loop'),
  symlink('/jail/self', 'self/x'),
  symlink('/jail/chain', 'chain1'),
  symlink('/jail/chain1', 'chain2'),
  symlink('/jail/chain2', 'sub/'),
  symlink('/jail/dot', '.'),
  symlink('/jail/dotdot', '..'),
  symlink('/jail/sub/parent', '..'),
  symlink('/jail/sub/grand', '../..'),
  symlink('/jail/sub/trail', '../sub/'),
];

const WORDS = ['.', '..', '', 'sub', 'inside', 'up', 'upup', 'ok', 'back', 'loop', 'self', 'chain', 'dot', 'dotdot',
  'parent', 'grand', 'trail', 'f', 'secret', 'other', 'jail', 'nope'];

/** Inode numbers of `dir` and everything below it (symlinks not followed). */
function inosBelow(h: Harness, handle: number): Set<bigint> {
  const out = new Set<bigint>([(h.fstat(handle) as Stat).ino]);
  const walk = (d: number): void => {
    for (const name of h.list(d)) {
      if (name === '.' || name === '..') continue;
      const st = h.stat(name, false, d) as Stat;
      out.add(st.ino);
      if (st.filetype === 3) {
        const c = h.open(name, { dir: d, oflags: OFLAGS_DIRECTORY, follow: false });
        walk(c);
        h.e.fd_close!(c);
      }
    }
  };
  walk(handle);
  return out;
}

/** Every path of up to `depth` words, with and without a leading and a trailing slash. */
function grid(depth: number): string[] {
  let level = [''];
  const out: string[] = [];
  for (let d = 0; d < depth; d++) {
    level = level.flatMap((p) => WORDS.map((w) => (p === '' && d === 0 ? w : `${p}/${w}`)));
    for (const p of level) out.push(p, `/${p}`, `${p}/`);
  }
  return out;
}

/** Looks `path` up from `start` every way the driver offers; each success must name an allowed node. */
function checkPath(h: Harness, start: number, path: string, allowed: Set<bigint>): number {
  let successes = 0;
  for (const follow of [true, false]) {
    const st = h.stat(path, follow, start);
    if (typeof st !== 'number') {
      expect(allowed.has(st.ino), `stat ${JSON.stringify(path)} follow=${follow} reached ino ${st.ino}`).toBe(true);
      successes++;
    }
    const f = h.open(path, { dir: start, follow });
    if (f >= 0) {
      expect(allowed.has((h.fstat(f) as Stat).ino), `open ${JSON.stringify(path)} follow=${follow}`).toBe(true);
      h.e.fd_close!(f);
      successes++;
    }
  }
  return successes;
}

async function jail(): Promise<{ h: Harness; j: number; allowed: Set<bigint>; outside: Map<string, string> }> {
  const h = await vfsHarness(JAIL);
  const j = h.open('jail', { oflags: OFLAGS_DIRECTORY });
  expect(j).toBeGreaterThanOrEqual(0);
  return { h, j, allowed: inosBelow(h, j), outside: outsideState(h) };
}

/** What lies outside the jail, to check that no create, link or rename put anything there. */
function outsideState(h: Harness): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of h.list(h.open('.', { oflags: OFLAGS_DIRECTORY }))) {
    if (name === 'jail') continue;
    const st = h.stat(name, false);
    out.set(name, typeof st === 'number' ? `errno ${st}` : `${st.filetype} ${st.size} ${st.nlink}`);
  }
  for (const name of h.list(h.open('other', { oflags: OFLAGS_DIRECTORY }))) out.set(`other/${name}`, 'x');
  return out;
}

describe('escapes', () => {
  it('no path of up to three components reaches outside the start directory', async () => {
    const { h, j, allowed } = await jail();
    let successes = 0;
    for (const path of grid(3)) successes += checkPath(h, j, path, allowed);
    expect(successes).toBeGreaterThan(1000); // the grid does reach plenty inside
    for (const [path, errno] of [['up', 76], ['../secret', 76], ['/secret', 76], ['back', 76], ['loop', 32], ['self', 32],
      ['sub/grand', 76], ['upup/deep', 76], ['nope/..', 44], ['f/..', 44]] as const) {
      // ENOTCAPABLE (76) for escapes, ELOOP (32) for loops, ENOENT (44) for what is not there.
      expect([path, h.stat(path, true, j)]).toEqual([path, errno]);
    }
  });

  it('creating, linking and renaming through escaping paths changes nothing outside', async () => {
    const { h, j, outside } = await jail();
    const targets = grid(2).filter((p) => p.includes('..') || p.startsWith('/') || /up|back|grand|dotdot|parent/.test(p));
    for (const p of targets) {
      h.e.path_create_directory!(j, ...place(h, p));
      const f = h.open(p, { dir: j, oflags: OFLAGS_CREAT, rights: RIGHTS_FD_WRITE | RIGHTS_FD_READ });
      if (f >= 0) h.e.fd_close!(f);
      h.e.path_symlink!(...place(h, '/secret', 0x4000), j, ...place(h, p));
      h.e.path_link!(j, 0, ...place(h, 'inside', 0x4000), j, ...place(h, p));
      h.e.path_rename!(j, ...place(h, 'sub/f', 0x4000), j, ...place(h, p));
    }
    expect(outsideState(h)).toEqual(outside);
    expect(h.readText(h.open('secret'))).toBe('OUTSIDE');
  });

  it('a handle on a directory renamed elsewhere still cannot climb above it', async () => {
    const { h, j } = await jail();
    const sub = h.open('sub', { dir: j, oflags: OFLAGS_DIRECTORY });
    const subsub = h.open('sub/subsub', { dir: j, oflags: OFLAGS_DIRECTORY });
    const allowedSub = inosBelow(h, sub);
    // Move sub out of the jail, then into other/deep, while the handles stay open.
    expect(h.rename('jail/sub', 'moved')).toBe(ERRNO_SUCCESS);
    for (const path of grid(2)) checkPath(h, sub, path, allowedSub);
    expect(h.rename('moved', 'other/deep/sub')).toBe(ERRNO_SUCCESS);
    for (const path of grid(2)) checkPath(h, sub, path, allowedSub);
    const allowedSubsub = inosBelow(h, subsub);
    for (const path of grid(2)) checkPath(h, subsub, path, allowedSubsub);
    expect(h.stat('..', true, sub)).toBe(76);
    // The jail handle no longer sees sub at all.
    expect(h.stat('sub', true, j)).toBe(44);
  });

  it('absolute symlink targets resolve from the box root and never above it', async () => {
    const h = await vfsHarness([
      file('/secret', 'ROOT FILE'), dir('/jail'), symlink('/jail/abs', '/secret'), symlink('/jail/absup', '/../../..'),
      symlink('/jail/absjail', '/jail/../jail/abs'),
    ]);
    const j = h.open('jail', { oflags: OFLAGS_DIRECTORY });
    const root = (h.stat('.') as Stat).ino;
    expect(h.readText(h.open('abs', { dir: j }))).toBe('ROOT FILE');
    expect((h.stat('absup', true, j) as Stat).ino).toBe(root);
    expect((h.stat('absup/../..', true, j) as Stat).ino).toBe(root);
    expect(h.readText(h.open('absup/../secret', { dir: j }))).toBe('ROOT FILE');
    expect(h.readText(h.open('absjail', { dir: j }))).toBe('ROOT FILE');
    // From the root handle, ".." and absolute paths are refused as ever.
    expect(h.stat('..')).toBe(76);
    expect(h.stat('/secret')).toBe(76);
    expect(h.stat('jail/../..')).toBe(76);
  });

  it('property: random paths from random handles stay inside, or fail', async () => {
    const { h, j, allowed } = await jail();
    const sub = h.open('sub', { dir: j, oflags: OFLAGS_DIRECTORY });
    const allowedSub = inosBelow(h, sub);
    const word = fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom('.', '..', 'sub', 'grand', 'dotdot'));
    const pathArb = fc.tuple(fc.array(word, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.boolean())
      .map(([ws, lead, trail]) => (lead ? '/' : '') + ws.join('/') + (trail ? '/' : ''));
    fc.assert(
      fc.property(pathArb, fc.boolean(), (path, fromSub) => {
        checkPath(h, fromSub ? sub : j, path, fromSub ? allowedSub : allowed);
      }),
      { numRuns: 3000, seed: 4242 },
    );
  });
});

/** Places a string in the app memory at `at` (the harness's own areas start at 0x1000). */
function place(h: Harness, s: string, at = 0x8000): [number, number] {
  const b = new TextEncoder().encode(s);
  new Uint8Array(h.app.buffer).set(b, at);
  return [at, b.length];
}
