// --host-mounts: how each fixture form becomes a host mount, and a suite of
// our own programs passing that way (fixtures copied, originals untouched).

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runSuite } from '../index.ts';
import { hostMountJob } from './host-mounts.ts';
import type { TestSpec } from './spec.ts';

const suite = mkdtempSync(join(tmpdir(), 'runner-host-mounts-'));
afterAll(() => rmSync(suite, { recursive: true, force: true }));

const base = { mode: 'box' as const, program: 'p.wasm', args: [], env: {}, result: 'r.json' };
const spec = (fixtures: TestSpec['fixtures']): TestSpec => ({ fixtures, steps: [{ type: 'run', args: [], env: {} }] }) as unknown as TestSpec;
const copy = (host: string, name: string): string => `/scratch/${name === '/' ? 'root' : name}<-${host}`;

it('gives a root fixture as the whole filesystem, dirs as mount points, and no filesystem to a test without fixtures', () => {
  expect(hostMountJob(base, spec({ kind: 'root', dir: { host: '/s/fx', name: '/' } }), copy))
    .toEqual({ ...base, vfs: false, image: [], preopens: [['/', '/scratch/root<-/s/fx']] });
  expect(hostMountJob(base, spec({ kind: 'dirs', dirs: [{ host: '/s/a', name: 'a' }, { host: '/s/b', name: 'b' }] }), copy))
    .toEqual({ ...base, image: [], preopens: [['/a', '/scratch/a<-/s/a'], ['/b', '/scratch/b<-/s/b']] });
  expect(hostMountJob(base, spec({ kind: 'none' }), copy)).toEqual({ ...base, vfs: false, image: [], preopens: [] });
});

it('runs tests with their fixtures as host mounts in both modes, writing only into copies', async () => {
  const programs = new URL('../programs/', import.meta.url).pathname;
  mkdirSync(join(suite, 'fixture', 'sub'), { recursive: true });
  writeFileSync(join(suite, 'fixture', 'a.txt'), 'alpha\n');
  writeFileSync(join(suite, 'fixture', 'sub', 'b.txt'), 'beta\n');
  for (const name of ['root', 'dirs']) copyFileSync(join(programs, 'dir_dump.wasm'), join(suite, `${name}.wasm`));
  writeFileSync(join(suite, 'root.json'), JSON.stringify({ root: 'fixture', args: ['/'], env: { OUT: 'new.txt' }, stdout: '//a.txt: alpha\n//sub/\n//sub/b.txt: beta\n' }));
  writeFileSync(join(suite, 'dirs.json'), JSON.stringify({ dirs: ['fixture'], args: ['fixture'], env: { OUT: 'new.txt' }, stdout: 'fixture/a.txt: alpha\nfixture/sub/\n' }));
  const result = await runSuite(suite, { mode: 'both', hostMounts: true, timeoutMs: 60_000 });
  expect(result.results.map((r) => `${r.name} ${r.mode} ${r.status} ${r.reason ?? ''}`.trim())).toEqual([
    'dirs static pass', 'dirs dynamic pass', 'root static pass', 'root dynamic pass',
  ]);
  expect(readdirSync(join(suite, 'fixture')).sort()).toEqual(['a.txt', 'sub']);
});
