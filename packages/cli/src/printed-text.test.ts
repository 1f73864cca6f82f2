// `box --version` and `box --help` alone print the texts the build wrote
// beside the bundle (dist/version.txt, dist/help.txt: bin/run.js), without
// loading it. They must be what the bundle's own main() prints.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliInProcess } from './cli-harness.ts';

const bin = new URL('../bin/box.js', import.meta.url).pathname;

describe('box --version and --help from the texts the build wrote', () => {
  it.each(['--version', '--help', '-h'])('box %s prints what main() prints', async (arg) => {
    const spawned = spawnSync(process.execPath, [bin, arg], { encoding: 'utf8' });
    const inBundle = await cliInProcess('box', [arg]);
    expect(inBundle.status).toBe(0);
    expect(spawned.status).toBe(0);
    expect(spawned.stderr).toBe('');
    expect(spawned.stdout).toBe(inBundle.stdout);
    expect(spawned.stdout).toMatch(arg === '--version' ? /^box \d+\.\d+\.\d+\nkernel / : /^Usage: box COMMAND/);
  });

  it.each(['--version', '--help'])('box %s into a pipe whose reader has gone: exit 0 and nothing on stderr, as the bundle', (arg) => {
    // `true` ends at once, long before node has started: the write meets EPIPE. Where the write
    // won (a slow `true`), the test still holds, so it cannot fail on a correct build.
    const r = spawnSync('sh', ['-c', '{ "$0" "$1" "$2"; echo "exit $?" >&2; } | true', process.execPath, bin, arg], { encoding: 'utf8' });
    expect(r.stderr).toBe('exit 0\n');
  });
});
