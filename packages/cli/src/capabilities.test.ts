import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { link, type LinkOptions } from './api.ts';

const dirDump = readFileSync(new URL('../../../conformance/programs/dir_dump.wasm', import.meta.url));

// Which capabilities a box gets from box-link's options (DESIGN.md §1): one row per rule and its edges.
const TABLE: [LinkOptions, string[]][] = [
  [{}, ['kernel']],
  [{ fs: true }, ['kernel', 'vfs']],
  [{ fs: false, net: false, proc: false, sealed: false }, ['kernel']],
  [{ image: [] }, ['kernel', 'vfs']],
  [{ image: [{ path: '/d', type: 'dir' }] }, ['kernel', 'vfs']],
  [{ workdir: '/w' }, ['kernel', 'vfs']],
  [{ mountPoints: [] }, ['kernel']],
  [{ mountPoints: ['/m'] }, ['kernel', 'vfs']],
  [{ vfsLimits: {} }, ['kernel', 'vfs']],
  [{ vfsLimits: { quota: 1024 } }, ['kernel', 'vfs']],
  [{ net: true }, ['kernel', 'net']],
  [{ listen: [] }, ['kernel']],
  [{ listen: [8080] }, ['kernel', 'net']],
  [{ proc: true }, ['kernel', 'proc']],
  [{ sealed: true }, ['kernel', 'proc']],
  [{ env: [] }, ['kernel']],
  [{ env: ['A=1'] }, ['kernel', 'proc']],
  [{ args: [] }, ['kernel']],
  [{ args: ['x'] }, ['kernel', 'proc']],
  [{ clock: 'host' }, ['kernel', 'clock']],
  [{ random: 'seed:7' }, ['kernel', 'clock']],
  [{ clock: 'fixed:2026-01-01T00:00:00Z', random: 'host' }, ['kernel', 'clock']],
  // deny says what the box imports, not what it links
  [{ fs: true, deny: ['fs', 'net', 'proc', 'clock', 'random'] }, ['kernel', 'vfs']],
  [{ deny: ['net', 'proc', 'clock'] }, ['kernel']],
  // link order, whatever the order of the options
  [{ proc: true, listen: [1], clock: 'host', image: [] }, ['kernel', 'clock', 'vfs', 'net', 'proc']],
];

describe('which capabilities box-link links', () => {
  it.each(TABLE)('%j → %j', (options, expected) => {
    expect(Object.keys(link(dirDump, options).manifest.capabilities)).toEqual(expected);
  });
});
