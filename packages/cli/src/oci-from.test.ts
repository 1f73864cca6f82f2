// box export --oci, then box build FROM the export: the round trip gives the
// same box byte for byte (and the same export again), in both layer forms,
// through the API and through the command line; a bad archive is one line,
// exit 2. The reader's own refusals are tested in packages/builder.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '@marcotte/abi';
import { build } from '@marcotte/builder';
import { CAPABILITIES } from './capabilities.ts';
import { ociLayout } from './oci.ts';
import { archive, layout, TAR, tarOf } from '../../builder/test/oci-image.ts';

const root = new URL('../../../', import.meta.url).pathname;
const bin = new URL('../bin/box.js', import.meta.url).pathname;
const fsop = readFileSync(join(root, 'packages/builder/test/fixtures/fsop.wasm'));
const work = mkdtempSync(join(tmpdir(), 'box-oci-from-'));
mkdirSync(join(work, 'again'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function context(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(work, 'ctx-'));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return dir;
}
const buildIn = (dir: string) => build({ context: dir, capabilities: CAPABILITIES, cacheDir: null });
const box = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE, CI: 'true' }, timeout: 120_000 });

describe('FROM the image box export --oci wrote', () => {
  it.each(['tar', 'wasm'] as const)('--layer %s: FROM oci-archive:x.tar alone builds the exported box byte for byte', async (form) => {
    const hello = await buildIn(join(root, 'examples/hello'));
    const tar = ociLayout(hello.bytes, hello.manifest, { name: 'localhost/hello:1.0', title: 'hello.box.wasm', layer: form });
    const again = await buildIn(context({ 'x.tar': tar, Dockerfile: 'FROM oci-archive:x.tar:1.0\n' }));
    expect(Buffer.compare(again.bytes, hello.bytes)).toBe(0);
    // and exporting that gives the same image
    expect(Buffer.compare(ociLayout(again.bytes, again.manifest, { name: 'localhost/hello:1.0', title: 'hello.box.wasm', layer: form }), tar)).toBe(0);
  });

  it('on the command line: build, export, build FROM the export, export again: the same files; a forged archive is one line, exit 2', () => {
    expect(box(['build', '--no-cache', '-o', 'hello.box.wasm', join(root, 'examples/hello')]).status).toBe(0);
    const ctx = context({ Dockerfile: 'FROM oci-archive:hello.tar\n' });
    expect(box(['export', '--oci', join(ctx, 'hello.tar'), 'hello.box.wasm']).status).toBe(0);
    const r = box(['build', '--no-cache', '-o', 'again/hello.box.wasm', ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(work, 'again/hello.box.wasm'))).toEqual(readFileSync(join(work, 'hello.box.wasm')));
    expect(box(['export', '--oci', 'again/hello.tar', 'again/hello.box.wasm']).status).toBe(0);
    expect(readFileSync(join(work, 'again/hello.tar'))).toEqual(readFileSync(join(ctx, 'hello.tar')));
    // one byte of the box changed inside its layer blob: the digest no longer matches
    const forged = Buffer.from(readFileSync(join(ctx, 'hello.tar')));
    const at = forged.indexOf(Buffer.from('Bonjour'));
    forged[at] = 0x62;
    writeFileSync(join(ctx, 'hello.tar'), forged);
    const bad = box(['build', '--no-cache', '-o', 'never.box.wasm', ctx]);
    expect(bad.status).toBe(2);
    const lines = bad.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines).toEqual([expect.stringMatching(/^Dockerfile:1: FROM oci-archive:hello\.tar: (layer|config) sha256:[0-9a-f]{64} does not match its digest$/)]);
  });

  it('a Docker wasi/wasm image\'s exposed port is listened on, as EXPOSE (the CLI links net)', async () => {
    const img = layout({ layers: [{ mediaType: TAR, bytes: tarOf({ '/bin/fsop': fsop }) }], config: { Entrypoint: ['/bin/fsop'], ExposedPorts: { '8080/tcp': {} } } });
    const r = await buildIn(context({ 'i.tar': archive(img), Dockerfile: 'FROM oci-archive:i.tar\n' }));
    expect(r.manifest.ports).toEqual([8080]);
    expect(r.manifest.build?.exposed).toEqual(['8080/tcp']);
    expect(Object.keys(readManifest(r.bytes).capabilities)).toContain('net');
  });
});
