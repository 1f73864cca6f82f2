// box export --oci read by the tools others use: umoci unpacks it, skopeo
// inspects it and copies it to an OCI layout and to a docker-archive; and
// box build FROM what those tools wrote (skopeo's copy of our export, an
// image umoci made around a plain wasm32-wasi program).
// Skipped where the Debian packages are absent; CI (.ci/run) installs them.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '@marcotte/abi';
import { build } from '@marcotte/builder';
import { link } from '@marcotte/linker';
import { CAPABILITIES } from './capabilities.ts';
import { ociLayout } from './oci.ts';

const has = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const tools = has('skopeo') && has('umoci');
const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const { bytes } = link(hello, { capabilities: CAPABILITIES.filter((c) => ['kernel', 'vfs', 'proc'].includes(c.name)), entrypoint: 'hello.wasm', args: [], env: [], mountPoints: [] });
const dir = mkdtempSync(join(tmpdir(), 'box-oci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exported(layer: 'tar' | 'wasm'): string {
  const path = join(dir, `${layer}.tar`);
  writeFileSync(path, ociLayout(bytes, readManifest(bytes), { name: 'localhost/hello:1.0', title: 'hello.box.wasm', layer }));
  return path;
}
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe.skipIf(!tools)('box export --oci, read by skopeo and umoci', () => {
  it('tar form: skopeo inspects it, copies it to oci: and docker-archive:, umoci unpacks the box file', () => {
    const archive = exported('tar');
    const info = JSON.parse(run('skopeo', ['inspect', '--raw', `oci-archive:${archive}:1.0`]));
    expect(info.layers[0].mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    const config = JSON.parse(run('skopeo', ['inspect', '--config', `oci-archive:${archive}:1.0`]));
    expect(config).toMatchObject({ os: 'wasi', architecture: 'wasm', config: { Entrypoint: ['/hello.box.wasm'] } });
    run('skopeo', ['copy', '-q', `oci-archive:${archive}:1.0`, `oci:${join(dir, 'layout')}:1.0`]);
    run('skopeo', ['copy', '-q', `oci-archive:${archive}:1.0`, `docker-archive:${join(dir, 'docker.tar')}:localhost/hello:1.0`]);
    expect(run('umoci', ['stat', '--image', `${join(dir, 'layout')}:1.0`])).toContain('LAYER');
    // `umoci unpack` writes a Linux runtime config.json beside the rootfs and refuses os "wasi" for it
    // (umoci's own limit, not the image's); `raw unpack` unpacks the rootfs alone.
    run('umoci', ['raw', 'unpack', '--rootless', '--image', `${join(dir, 'layout')}:1.0`, join(dir, 'rootfs')]);
    expect(readFileSync(join(dir, 'rootfs', 'hello.box.wasm'))).toEqual(Buffer.from(bytes));
  });

  it('wasm form: skopeo copies it to oci: and umoci no longer panics on its diff ids', () => {
    const archive = exported('wasm');
    run('skopeo', ['copy', '-q', `oci-archive:${archive}:1.0`, `oci:${join(dir, 'wasm-layout')}:1.0`]);
    // umoci cannot unpack a layer that is not a tar: it says so, instead of indexing past an empty diff_ids
    const r = spawnSync('umoci', ['unpack', '--rootless', '--image', `${join(dir, 'wasm-layout')}:1.0`, join(dir, 'wasm-bundle')], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/panic|index out of range/);
  });

  it('box build FROM oci:DIR:TAG reads skopeo\'s copy of our export and gives the exported box back', async () => {
    const ctx = join(dir, 'from-skopeo');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM oci:layout:1.0\n');
    run('skopeo', ['copy', '-q', `oci-archive:${exported('tar')}:1.0`, `oci:${join(ctx, 'layout')}:1.0`]);
    const r = await build({ context: ctx, capabilities: CAPABILITIES, cacheDir: null });
    expect(Buffer.compare(r.bytes, bytes)).toBe(0);
  });

  it('box build FROM an image umoci made around a plain wasm32-wasi program (gzip layers, config by umoci)', async () => {
    const ctx = join(dir, 'from-umoci');
    mkdirSync(join(ctx, 'files'), { recursive: true });
    copyFileSync(new URL('../../builder/test/fixtures/fsop.wasm', import.meta.url), join(ctx, 'files', 'fsop'));
    writeFileSync(join(ctx, 'files', 'greeting'), 'hi from umoci');
    const image = `${join(ctx, 'layout')}:wasi`;
    run('umoci', ['init', '--layout', join(ctx, 'layout')]);
    run('umoci', ['new', '--image', image]);
    run('umoci', ['insert', '--rootless', '--image', image, join(ctx, 'files', 'fsop'), '/bin/fsop']);
    run('umoci', ['insert', '--rootless', '--image', image, join(ctx, 'files', 'greeting'), '/etc/greeting']);
    run('umoci', ['config', '--image', image, '--architecture', 'wasm', '--os', 'wasi', '--config.entrypoint', '/bin/fsop', '--config.cmd', 'cat', '--config.cmd', '/etc/greeting', '--config.env', 'A=1']);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM oci:layout:wasi\n');
    const r = await build({ context: ctx, capabilities: CAPABILITIES, cacheDir: null });
    expect(r.manifest).toMatchObject({ entrypoint: '/bin/fsop', args: ['cat', '/etc/greeting'], env: ['A=1'] });
    writeFileSync(join(dir, 'umoci.box.wasm'), r.bytes);
    const out = spawnSync(process.execPath, [new URL('../bin/box.js', import.meta.url).pathname, 'run', join(dir, 'umoci.box.wasm')], { encoding: 'utf8' });
    expect(out.stdout).toBe('hi from umoci');
  });
});
