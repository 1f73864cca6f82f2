// FROM oci-archive:PATH[:TAG] and FROM oci:DIR[:TAG]: Wasm OCI images as
// bases. The images are made by hand here (oci-image.ts): Docker's
// `--platform wasi/wasm` form (a plain wasm32-wasi program, fsop.c built with
// wasi-libc, in a tar layer, the entrypoint naming it), the Wasm-layer form,
// and a box in a tar layer; then every forgery the reader must refuse.
// The round trip through `box export --oci` is tested in packages/cli.

import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { link } from '@marcotte/linker';
import { readBaseBox } from '../src/base.ts';
import { buildIn, CAPS, failure, FSOP, image, makeContext, runCaptured, scratchDir, text, type Files } from './helpers.ts';
import { archive, layout, sha256, TAR, TAR_GZIP, tarOf, WASM_LAYER, writeLayout, type ImageSpec } from './oci-image.ts';

/** Docker's Wasm image form, made by hand: fsop in a gzip tar layer, a second layer deleting and replacing files. */
function dockerWasiImage(tag?: string): ImageSpec {
  const lower = tarOf({ '/bin/': '', '/bin/fsop': FSOP, '/etc/greeting': 'hello from the image', '/etc/old': 'old', '/opt/a': 'a', '/opt/b': 'b', '/srv/': '' });
  const upper = tarOf({ '/etc/.wh.old': '', '/opt/.wh..wh..opq': '', '/opt/c': 'c' });
  return {
    tag,
    layers: [{ mediaType: TAR_GZIP, bytes: gzipSync(lower), diffId: sha256(lower) }, { mediaType: TAR, bytes: upper }],
    config: {
      Entrypoint: ['/bin/fsop'], Cmd: ['cat', '/etc/greeting', 'env', 'GREETING'], Env: ['GREETING=hi', 'PATH=/bin'],
      WorkingDir: '/srv', Labels: { 'org.opencontainers.image.title': 'fsop' }, User: 'app', StopSignal: 'SIGINT', Volumes: { '/data': {} },
    },
  };
}

describe('FROM oci-archive: and oci: (Wasm OCI images as bases)', () => {
  it('takes a Docker wasi/wasm image: its program, files (whiteouts applied) and config are the base', async () => {
    const img = layout(dockerWasiImage('v1'));
    const ctx = makeContext({ 'img.tar': archive(img), Dockerfile: 'FROM oci-archive:img.tar\n' });
    const r = await buildIn(ctx);
    const m = r.manifest;
    expect(m.entrypoint).toBe('/bin/fsop');
    expect(m.args).toEqual(['cat', '/etc/greeting', 'env', 'GREETING']);
    expect(m.env).toEqual(['GREETING=hi', 'PATH=/bin']);
    expect(m.workdir).toBe('/srv');
    expect(m.mountPoints).toEqual(['/data']);
    expect(m.build).toMatchObject({ from: `oci-archive:img.tar ${img.manifestDigest}`, labels: { 'org.opencontainers.image.title': 'fsop' }, user: 'app', stopSignal: 'SIGINT', volumes: ['/data'] });
    expect(m.build?.layers.map((l) => [l.instruction, l.line])).toEqual([['FROM oci-archive:img.tar', 0]]);
    const files = image(r.bytes);
    expect(text(files.get('/etc/greeting'))).toBe('hello from the image');
    // the upper layer's whiteout and opaque directory
    expect(files.has('/etc/old')).toBe(false);
    expect([...files.keys()].filter((p) => p.startsWith('/opt/'))).toEqual(['/opt/c']);
    // the program is the box's program, stored once
    expect(files.has('/bin/fsop')).toBe(false);
    expect((await runCaptured(r.bytes)).stdout).toBe('hello from the imageGREETING=hi\n');
  });

  it('takes an oci: directory by tag, and the Dockerfile builds on it', async () => {
    const ctx = makeContext({ 'more.txt': 'more', Dockerfile: 'FROM oci:layout:v2 AS base\nCOPY more.txt /etc/\nCMD ["cat", "/etc/more.txt", "cat", "/etc/greeting"]\n' });
    const other = dockerWasiImage('v1');
    writeLayout(layout(other, { ...dockerWasiImage('v2'), config: { ...dockerWasiImage().config, Env: ['GREETING=v2'] } }), join(ctx, 'layout'));
    const r = await buildIn(ctx);
    expect(r.manifest.env).toEqual(['GREETING=v2']);
    expect(r.manifest.build?.layers.map((l) => l.instruction)).toEqual(['FROM oci:layout:v2', 'COPY more.txt /etc/']);
    expect((await runCaptured(r.bytes)).stdout).toBe('morehello from the image');
  });

  it('takes a plain program in a Wasm layer, placed where the entrypoint names it', async () => {
    const img = layout({ layers: [{ mediaType: TAR, bytes: tarOf({ '/etc/greeting': 'beside the layer' }) }, { mediaType: WASM_LAYER, bytes: FSOP }], config: { Entrypoint: ['fsop.wasm'], Cmd: ['args', 'cat', '/etc/greeting'] } });
    const r = await buildIn(makeContext({ 'img.tar': archive(img), Dockerfile: 'FROM oci-archive:img.tar\n' }));
    expect(r.manifest.entrypoint).toBe('/fsop.wasm');
    expect((await runCaptured(r.bytes)).stdout).toBe('argv[0]=/fsop.wasm\nargv[1]=args\nargv[2]=cat\nargv[3]=/etc/greeting\nbeside the layer');
  });

  it('takes a box in a tar layer: unchanged when the Dockerfile adds nothing, its program back when it is portable', async () => {
    const made = await buildIn(makeContext({ 'fsop.wasm': FSOP, 'etc/base.conf': 'base', Dockerfile: 'FROM scratch\nCOPY fsop.wasm /bin/fsop\nCOPY etc /etc\nENV FROM_BASE=yes\nENTRYPOINT ["/bin/fsop"]\nCMD ["cat", "/etc/base.conf"]\n' }));
    const boxImage = (box: Uint8Array, extra: Record<string, string> = {}) => layout({ layers: [{ mediaType: TAR, bytes: tarOf({ '/app.box.wasm': box, ...extra }) }], config: { Entrypoint: ['/app.box.wasm'], Env: ['IGNORED=1'] } });
    // nothing after FROM: the box itself, byte for byte (the config's Env is not read: the box's manifest is its config)
    const same = await buildIn(makeContext({ 'img.tar': archive(boxImage(made.bytes)), Dockerfile: 'ARG X\nFROM oci-archive:img.tar\nARG Y\n' }));
    expect(Buffer.compare(same.bytes, made.bytes)).toBe(0);
    // a portable box with a file beside it in the layer: both are the base
    const parts = readBaseBox(made.bytes, 'made.box.wasm');
    const portable = link(FSOP, {
      capabilities: CAPS.filter((c) => ['kernel', 'vfs', 'proc'].includes(c.name)), entrypoint: '/bin/fsop', args: made.manifest.args, env: made.manifest.env,
      image: parts.image, portable: true, build: made.manifest.build!,
    });
    const ctx = makeContext({ 'img.tar': archive(boxImage(portable.bytes, { '/etc/beside': 'beside' })), Dockerfile: 'FROM oci-archive:img.tar\nCMD ["cat", "/etc/base.conf", "cat", "/etc/beside", "env", "FROM_BASE"]\n' });
    const r = await buildIn(ctx);
    expect(r.manifest.env).toEqual(['FROM_BASE=yes']);
    expect(r.manifest.build?.layers.map((l) => l.instruction)).toEqual(['COPY fsop.wasm /bin/fsop', 'COPY etc /etc', 'FROM oci-archive:img.tar']);
    expect((await runCaptured(r.bytes)).stdout).toBe('basebesideFROM_BASE=yes\n');
    // FROM a box file alone is the box too; a build option that changes the link relinks it (the portable box's program)
    const file = makeContext({ 'p.box.wasm': portable.bytes, Dockerfile: 'FROM p.box.wasm\n' });
    expect(Buffer.compare((await buildIn(file)).bytes, portable.bytes)).toBe(0);
    const denied = await buildIn(file, { deny: ['random'] });
    expect(Buffer.compare(denied.bytes, portable.bytes)).not.toBe(0);
    expect(denied.manifest.denied).toContain('random');
    expect(denied.manifest.build?.from).toMatch(/^p\.box\.wasm sha256:/);
    // a box that is not portable cannot give its program back to a stage that changes it
    writeFileSync(join(ctx, 'img.tar'), archive(boxImage(made.bytes)));
    expect((await failure(ctx)).message).toMatch(/^Dockerfile: the entrypoint \/bin\/fsop is not a file in the image \(a base box that is not --portable/);
  });
});

describe('FROM oci-archive: and oci: refuse bad images with one line, exit 2', () => {
  /** Builds `FROM <from>` over a context holding `files`; the one-line error. */
  async function refused(files: Files, from: string, extra = {}): Promise<string> {
    const e = await failure(makeContext({ ...files, Dockerfile: `FROM ${from}\n` }), extra);
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain('\n');
    expect(e.message.startsWith(`Dockerfile:1: FROM ${from}: `), e.message).toBe(true);
    return e.message.slice(`Dockerfile:1: FROM ${from}: `.length);
  }
  const good = () => layout(dockerWasiImage('v1'));
  const hexOf = (digest: string) => digest.slice('sha256:'.length);

  it('a forged blob: a byte changed under the same digest, or a diff id the layer does not unpack to', async () => {
    const img = good();
    const path = `blobs/sha256/${hexOf(img.layerDigests[1]!)}`;
    const forged = img.files.get(path)!.slice();
    forged[600] = forged[600]! ^ 1;
    img.files.set(path, forged);
    expect(await refused({ 'i.tar': archive(img) }, 'oci-archive:i.tar')).toBe(`layer ${img.layerDigests[1]} does not match its digest`);
    const lower = tarOf({ '/bin/fsop': FSOP });
    const wrongDiff = layout({ layers: [{ mediaType: TAR_GZIP, bytes: gzipSync(lower), diffId: sha256(new Uint8Array(1)) }], config: { Entrypoint: ['/bin/fsop'] } });
    expect(await refused({ 'i.tar': archive(wrongDiff) }, 'oci-archive:i.tar')).toMatch(/^layer sha256:[0-9a-f]{64} does not unpack to its diff id sha256:/);
  });

  it('a path in a blob reference, a path out of the archive, a symlink out of the layout directory', async () => {
    const traversal = layout({ ...dockerWasiImage(), editManifest: (m) => { m.layers[0].digest = 'sha256:../../../../etc/passwd'; } });
    expect(await refused({ 'i.tar': archive(traversal) }, 'oci-archive:i.tar')).toBe('manifest layers[0]: digest "sha256:../../../../etc/passwd" is not sha256:<64 hex digits>');
    const outside = good();
    outside.files.set('../escape', new Uint8Array(1));
    expect(await refused({ 'i.tar': archive(outside) }, 'oci-archive:i.tar')).toBe('the archive holds "../escape", a path out of the layout');
    // a layout directory whose blob is a symlink to a file outside it (a canary holding the very bytes the digest names)
    const img = good();
    const ctx = makeContext({ Dockerfile: 'FROM oci:layout\n' });
    writeLayout(img, join(ctx, 'layout'));
    const canaryDir = scratchDir('oci-canary-');
    const blob = `blobs/sha256/${hexOf(img.layerDigests[1]!)}`;
    writeFileSync(join(canaryDir, 'canary'), img.files.get(blob)!);
    rmSync(join(ctx, 'layout', blob));
    symlinkSync(join(canaryDir, 'canary'), join(ctx, 'layout', blob));
    const e = await failure(ctx);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`Dockerfile:1: FROM oci:layout: blob sha256:${hexOf(img.layerDigests[1]!).slice(0, 12)} is a symlink out of the layout directory`);
    // the layout itself out of the context
    expect(await refused({}, 'oci:../x')).toBe('path escapes the build context');
  });

  it('a tar layer with ../ entries, or an entry under a lower layer\'s symlink', async () => {
    const climbing = layout({ layers: [{ mediaType: TAR, bytes: tarOf({ '/bin/fsop': FSOP, '/../../canary': 'x' }) }], config: { Entrypoint: ['/bin/fsop'] } });
    expect(await refused({ 'i.tar': archive(climbing) }, 'oci-archive:i.tar')).toMatch(/^layer sha256:[0-9a-f]{64}: tar entry escapes the archive root: \.\.\/\.\.\/canary$/);
    const under = layout({ layers: [{ mediaType: TAR, bytes: tarOf({ '/bin/fsop': FSOP, '/a': { symlink: '/etc' } }) }, { mediaType: TAR, bytes: tarOf({ '/a/passwd': 'x' }) }], config: { Entrypoint: ['/bin/fsop'] } });
    expect(await refused({ 'i.tar': archive(under) }, 'oci-archive:i.tar')).toMatch(/^layer sha256:[0-9a-f]{64}: a\/passwd lies under a, a symlink in a lower layer$/);
  });

  it('a truncated archive, an archive or gzip layer past --max-unpack, JSON that does not parse', async () => {
    const whole = archive(good());
    expect(await refused({ 'i.tar': whole.subarray(0, 2048 + 700) }, 'oci-archive:i.tar')).toMatch(/^tar archive is truncated at byte \d+$/);
    expect(await refused({ 'i.tar': whole }, 'oci-archive:i.tar', { maxUnpack: whole.length - 1 })).toMatch(/^it unpacks to more than [\d.]+ KiB, the limit \(box build --max-unpack raises it\)$/);
    // 64 MiB of zeros in a 64 KiB gzip layer: zlib stops at the limit
    const bomb = layout({ layers: [{ mediaType: TAR_GZIP, bytes: gzipSync(new Uint8Array(64 * 1024 * 1024)) }], config: { Entrypoint: ['/x'] } });
    expect(await refused({ 'i.tar': archive(bomb) }, 'oci-archive:i.tar', { maxUnpack: 4 * 1024 * 1024 })).toBe('it unpacks to more than 4.0 MiB, the limit (box build --max-unpack raises it)');
    // a gzip-compressed archive is read within the same limit
    const gz = await buildIn(makeContext({ 'i.tar.gz': gzipSync(whole), Dockerfile: 'FROM oci-archive:i.tar.gz\n' }));
    expect(gz.manifest.entrypoint).toBe('/bin/fsop');
    expect(await refused({ 'i.tar.gz': gzipSync(whole) }, 'oci-archive:i.tar.gz', { maxUnpack: 4096 })).toBe('it unpacks to more than 4.0 KiB, the limit (box build --max-unpack raises it)');
    const version = good();
    version.files.set('oci-layout', new TextEncoder().encode('{"imageLayoutVersion":"2.0.0"}'));
    expect(await refused({ 'i.tar': archive(version) }, 'oci-archive:i.tar')).toBe('oci-layout: imageLayoutVersion "2.0.0" is not "1.0.0"');
    const broken = good();
    broken.files.set('index.json', new TextEncoder().encode('{"schemaVersion": 2, "manifests": [\n'));
    expect(await refused({ 'i.tar': archive(broken) }, 'oci-archive:i.tar')).toMatch(/^index\.json is not valid JSON \(.+\)$/);
  });

  it('a missing tag, several images and no tag, media types that are not an image\'s', async () => {
    const two = layout(dockerWasiImage('v1'), dockerWasiImage('v2'));
    expect(await refused({ 'i.tar': archive(two) }, 'oci-archive:i.tar:v3')).toBe('no image is tagged "v3" in index.json (tags: v1, v2)');
    expect(await refused({ 'i.tar': archive(two) }, 'oci-archive:i.tar')).toBe('index.json names 2 images: choose one with :TAG (tags: v1, v2)');
    const artifact = layout({ ...dockerWasiImage(), editManifest: (m) => { m.config.mediaType = 'application/vnd.wasm.config.v0+json'; } });
    expect(await refused({ 'i.tar': archive(artifact) }, 'oci-archive:i.tar')).toBe('the config\'s media type application/vnd.wasm.config.v0+json is not an image config (application/vnd.oci.image.config.v1+json)');
    const zstd = layout({ layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', bytes: new Uint8Array(8) }], config: { Entrypoint: ['/x'] } });
    expect(await refused({ 'i.tar': archive(zstd) }, 'oci-archive:i.tar')).toMatch(/has media type application\/vnd\.oci\.image\.layer\.v1\.tar\+zstd, not a tar, gzip tar or Wasm layer$/);
  });

  it('an image that is not a Wasm preview1 program: another platform, a component, exposed ports this build cannot listen on', async () => {
    const linux = layout({ ...dockerWasiImage(), architecture: 'amd64', os: 'linux' });
    expect(await refused({ 'i.tar': archive(linux) }, 'oci-archive:i.tar')).toBe('the image is for linux/amd64, not a Wasm image (architecture wasm)');
    const component = layout({ layers: [{ mediaType: WASM_LAYER, bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]) }], config: { Entrypoint: ['/app.wasm'] } });
    expect(await refused({ 'i.tar': archive(component) }, 'oci-archive:i.tar')).toBe('/app.wasm is a WebAssembly component (WASI preview 2): a base\'s program must be a preview1 module');
    const ports = layout({ ...dockerWasiImage(), config: { Entrypoint: ['/bin/fsop'], ExposedPorts: { '8080/tcp': {} } } });
    expect(await refused({ 'i.tar': archive(ports) }, 'oci-archive:i.tar')).toBe('the image exposes 8080/tcp, which needs the net capability, which this build does not have');
    const taken = layout({ layers: [{ mediaType: TAR, bytes: tarOf({ '/app': { symlink: '/etc' } }) }, { mediaType: WASM_LAYER, bytes: FSOP }], config: { Entrypoint: ['/app/fsop.wasm'] } });
    expect(await refused({ 'i.tar': archive(taken) }, 'oci-archive:i.tar')).toBe('the Wasm layer\'s place /app/fsop.wasm is taken by a symlink of the tar layers');
    const missing = layout({ ...dockerWasiImage(), config: { Entrypoint: ['/bin/nope'] } });
    expect(await refused({ 'i.tar': archive(missing) }, 'oci-archive:i.tar')).toBe('the image\'s entrypoint /bin/nope is not a file in it');
    expect(await refused({}, 'oci-archive:none.tar')).toBe('no OCI archive file none.tar in the build context');
  });
});
