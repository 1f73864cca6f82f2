// Model-based test: random sequences of calls on the vfs driver and on the
// TypeScript model (model.ts) give the same errnos and the same bytes; then
// the driver's snapshot, read back and linked again, holds the same tree.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageEntry } from '@marcotte/abi';
import { OFLAGS_CREAT, OFLAGS_DIRECTORY, RIGHTS_FD_READ, RIGHTS_FD_WRITE, WHENCE_SET } from '@marcotte/abi';
import { encodeImage, imageOptions } from './image.ts';
import { Model } from './model.ts';
import { readSnapshot, snapshotSegments } from './snapshot.ts';
import { type Harness, treeOf, vfsHarness } from '../test/harness.ts';

type Op =
  | { op: 'open'; path: string; create: boolean }
  | { op: 'write'; h: number; data: Uint8Array }
  | { op: 'read'; h: number; n: number }
  | { op: 'seek'; h: number; pos: number }
  | { op: 'close'; h: number }
  | { op: 'mkdir' | 'rmdir' | 'unlink' | 'readdir'; path: string }
  | { op: 'stat'; path: string; follow: boolean }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'link' | 'rename'; from: string; to: string };

const component = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 1, arbitrary: fc.constantFrom('.', '..') },
);
const path = fc.tuple(fc.array(component, { minLength: 1, maxLength: 3 }), fc.nat(9))
  .map(([parts, slash]) => parts.join('/') + (slash === 0 ? '/' : ''));
const target = fc.tuple(path, fc.nat(4)).map(([p, abs]) => (abs === 0 ? `/${p}` : p));
const handle = fc.nat(7);

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('open' as const), path, create: fc.boolean() }),
  fc.record({ op: fc.constant('write' as const), h: handle, data: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ op: fc.constant('read' as const), h: handle, n: fc.nat(64) }),
  fc.record({ op: fc.constant('seek' as const), h: handle, pos: fc.nat(80) }),
  fc.record({ op: fc.constant('close' as const), h: handle }),
  fc.record({ op: fc.constantFrom('mkdir' as const, 'rmdir' as const, 'unlink' as const, 'readdir' as const), path }),
  fc.record({ op: fc.constant('stat' as const), path, follow: fc.boolean() }),
  fc.record({ op: fc.constant('symlink' as const), target, path }),
  fc.record({ op: fc.constantFrom('link' as const, 'rename' as const), from: path, to: path }),
);

/** Runs one op on the driver; the same shape of answer as runModel. */
function runDriver(h: Harness, handles: number[], o: Op): unknown {
  switch (o.op) {
    case 'open': {
      const r = h.open(o.path, { oflags: o.create ? OFLAGS_CREAT : 0, rights: RIGHTS_FD_READ | RIGHTS_FD_WRITE });
      if (r >= 0) handles.push(r);
      return r < 0 ? r : 'handle';
    }
    case 'write': case 'read': case 'seek': case 'close': {
      if (handles.length === 0) return 'none';
      const at = o.h % handles.length;
      const fd = handles[at]!;
      if (fd < 0) return 8; // EBADF, as the model answers for a closed handle
      if (o.op === 'write') return h.write(fd, o.data)[0];
      if (o.op === 'read') {
        const [err, bytes] = h.read(fd, [o.n]);
        return err !== 0 ? err : [...bytes];
      }
      if (o.op === 'seek') return h.seek(fd, BigInt(o.pos), WHENCE_SET)[0];
      handles[at] = -1;
      return h.e.fd_close!(fd);
    }
    case 'mkdir': return h.mkdir(o.path);
    case 'rmdir': return h.rmdir(o.path);
    case 'unlink': return h.unlink(o.path);
    case 'readdir': {
      const d = h.open(o.path, { oflags: OFLAGS_DIRECTORY });
      if (d < 0) return -d;
      const names = h.list(d).filter((n) => n !== '.' && n !== '..');
      h.e.fd_close!(d);
      return names;
    }
    case 'stat': {
      const st = h.stat(o.path, o.follow);
      if (typeof st === 'number') return st;
      const type = st.filetype === 3 ? 'dir' : st.filetype === 7 ? 'symlink' : 'file';
      return `${type} size=${st.size} nlink=${st.nlink}`;
    }
    case 'symlink': return h.symlink(o.target, o.path);
    case 'link': return h.link(o.from, o.to);
    case 'rename': return h.rename(o.from, o.to);
  }
}

function runModel(m: Model, handles: number[], o: Op): unknown {
  switch (o.op) {
    case 'open': {
      const r = m.open(o.path, o.create);
      if (r >= 0) handles.push(r);
      return r < 0 ? r : 'handle';
    }
    case 'write': case 'read': case 'seek': case 'close': {
      if (handles.length === 0) return 'none';
      const h = handles[o.h % handles.length]!;
      if (o.op === 'write') return m.write(h, o.data);
      if (o.op === 'read') {
        const r = m.read(h, o.n);
        return typeof r === 'number' ? r : [...r];
      }
      if (o.op === 'seek') return m.seek(h, o.pos);
      return m.close(h);
    }
    case 'mkdir': return m.mkdir(o.path);
    case 'rmdir': return m.rmdir(o.path);
    case 'unlink': return m.unlink(o.path);
    case 'readdir': return m.readdir(o.path);
    case 'stat': return m.stat(o.path, o.follow);
    case 'symlink': return m.symlink(o.target, o.path);
    case 'link': return m.link(o.from, o.to);
    case 'rename': return m.rename(o.from, o.to);
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);
const shared = bytes('hard');
const SEED: ImageEntry[] = [
  { path: '/a/b/c', type: 'file', data: bytes('abc') },
  { path: '/a/c', type: 'file', data: shared },
  { path: '/b', type: 'file', data: shared },
  { path: '/a/a', type: 'symlink', target: '../b' },
  // Absolute symlinks come only with an image (a program cannot create one): they resolve from the box root.
  { path: '/c/b', type: 'symlink', target: '/a/b' },
  { path: '/c/a', type: 'dir' },
];

describe('model-based', () => {
  it('the driver and the model agree on every call, and a snapshot relinks to the same tree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 80 }), async (ops) => {
        // Start from an image, so that lazily read directories and files are in play.
        const h = await vfsHarness(SEED);
        const m = new Model(SEED);
        const dh: number[] = [];
        const mh: number[] = [];
        ops.forEach((o, i) => {
          const got = runDriver(h, dh, o);
          const want = runModel(m, mh, o);
          expect(got, `op ${i}: ${JSON.stringify(o, (_, v) => (v instanceof Uint8Array ? [...v] : v))}`).toEqual(want);
        });
        const bytes = h.snapshot();
        const segs = snapshotSegments(bytes);
        const again = await vfsHarness(readSnapshot(bytes), imageOptions(segs));
        expect(treeOf(again)).toEqual(treeOf(h));
        expect(encodeImage(readSnapshot(bytes), imageOptions(segs))).toEqual(segs);
      }),
      // MODEL_RUNS / MODEL_SEED run it longer or elsewhere; the default is fixed and takes about a second.
      { numRuns: Number(process.env.MODEL_RUNS ?? 150), seed: Number(process.env.MODEL_SEED ?? 20261127) },
    );
  });
});
