import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspect, link, run, snapshot } from './api.ts';

const dirDump = readFileSync(new URL('../../../conformance/programs/dir_dump.wasm', import.meta.url));

describe('JS API', () => {
  it('works from a plain Node script importing @marcotte/cli', () => {
    const script = new URL('../scripts/api-example.mjs', import.meta.url).pathname;
    const out = execFileSync(process.execPath, ['--no-warnings', script], { encoding: 'utf8', timeout: 120_000 });
    expect(out).toBe([
      'capabilities: kernel vfs proc',
      'authority: kernel=7 proc=5',
      '/data/in.txt: hello from the image',
      'exit: 0',
      'files: /data/in.txt (21 bytes), /data/report.txt (19 bytes)',
      '',
    ].join('\n'));
  });

  it('picks capabilities from the options as box-link does, and refuses bad modes', () => {
    expect(Object.keys(link(dirDump).manifest.capabilities)).toEqual(['kernel']);
    expect(Object.keys(link(dirDump, { fs: true, clock: 'fixed:2026-01-01T00:00:00Z', random: 'seed:1' }).manifest.capabilities))
      .toEqual(['kernel', 'clock', 'vfs']);
    expect(link(dirDump, { clock: 'fixed:2026-01-01T00:00:00Z' }).manifest.denied).toEqual(['clock']);
    expect(() => link(dirDump, { clock: 'fixed:yesterday' })).toThrow(/yesterday|time/);
  });

  it('runs a box and returns its exit code and filesystem', async () => {
    const { bytes } = link(dirDump, { fs: true, env: ['OUT=x.txt'], image: [{ path: '/w', type: 'dir' }] });
    expect(inspect(bytes).manifest.entrypoint).toBe('app.wasm');
    const result = await run(bytes, { args: ['/w'], snapshot: true, stdout: 2 });
    expect(result.exitCode).toBe(0);
    const tree = snapshot(result.snapshot!);
    expect(tree.entries.map((e) => e.path)).toContain('/w/x.txt');
    expect(new TextDecoder().decode(tree.tar().subarray(0, 3))).toBe('w/\0'.slice(0, 3));
  });
});
