import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { readManifest } from '@marcotte/abi';
import { link } from '@marcotte/linker';
import { imageFromTar } from '@marcotte/vfs';
import { CAPABILITIES } from './capabilities.ts';
import { OCI_MEDIA_TYPES, ociLayout } from './oci.ts';

const schemas = new URL('../fixtures/oci-schema/', import.meta.url);
// CommonJS modules: the default import is module.exports, whose .default is the export.
const ajv = new AjvDraft04.default({ strict: false, allErrors: true });
ajvFormats.default(ajv);
for (const file of readdirSync(schemas).filter((f) => f.endsWith('.json'))) {
  ajv.addSchema(JSON.parse(readFileSync(new URL(file, schemas), 'utf8')), file);
}

function validate(schema: string, value: unknown): void {
  const check = ajv.getSchema(schema)!;
  expect(check(value), `${schema}: ${ajv.errorsText(check.errors)}`).toBe(true);
}

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const kernelAndProc = CAPABILITIES.filter((c) => ['kernel', 'vfs', 'proc'].includes(c.name));

function exportBox(options: Parameters<typeof link>[1], layer: 'tar' | 'wasm' = 'wasm') {
  const { bytes } = link(hello, options);
  const tar = ociLayout(bytes, readManifest(bytes), { name: 'localhost/hello:1.0', title: 'hello.box.wasm', layer });
  const files = new Map(imageFromTar(tar).filter((e) => e.type === 'file').map((e) => [e.path, e.data!]));
  const text = (path: string) => new TextDecoder().decode(files.get(path));
  const blob = (digest: string) => files.get(`/blobs/sha256/${digest.replace('sha256:', '')}`);
  return { bytes, tar, files, json: (path: string) => JSON.parse(text(path)), blob };
}

describe('box export --oci --layer wasm', () => {
  const box = exportBox({
    capabilities: kernelAndProc, entrypoint: 'hello.wasm', args: ['from', 'oci'], env: ['GREETING=hi'],
    workdir: '/srv', mountPoints: ['/data'],
  });

  it('writes an image layout whose every JSON file the OCI schemas accept', () => {
    validate('image-layout-schema.json', box.json('/oci-layout'));
    const index = box.json('/index.json');
    validate('image-index-schema.json', index);
    const manifest = JSON.parse(new TextDecoder().decode(box.blob(index.manifests[0].digest)));
    validate('image-manifest-schema.json', manifest);
    const config = JSON.parse(new TextDecoder().decode(box.blob(manifest.config.digest)));
    validate('config-schema.json', config);
    // and the schemas do reject what is not an image
    expect(ajv.getSchema('image-manifest-schema.json')!({ schemaVersion: 2, config: {}, layers: [] })).toBe(false);
    expect(ajv.getSchema('config-schema.json')!({ os: 'wasip1' })).toBe(false);
  });

  it('makes the box the one Wasm layer, on platform wasip1/wasm, named for containerd', () => {
    const index = box.json('/index.json');
    expect(index.manifests).toHaveLength(1);
    const [entry] = index.manifests;
    expect(entry.platform).toEqual({ architecture: 'wasm', os: 'wasip1' });
    expect(entry.annotations).toEqual({ 'io.containerd.image.name': 'localhost/hello:1.0', 'org.opencontainers.image.ref.name': '1.0' });
    const manifest = JSON.parse(new TextDecoder().decode(box.blob(entry.digest)));
    expect(manifest.config.mediaType).toBe(OCI_MEDIA_TYPES.config);
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0]).toMatchObject({ mediaType: OCI_MEDIA_TYPES.layer, size: box.bytes.length });
    // every blob is stored under its own digest, and the layer is the box byte for byte
    for (const [path, data] of box.files) {
      if (!path.startsWith('/blobs/sha256/')) continue;
      expect(createHash('sha256').update(data).digest('hex')).toBe(path.slice('/blobs/sha256/'.length));
    }
    expect(box.blob(manifest.layers[0].digest)).toEqual(box.bytes);
    expect(entry.size).toBe(box.blob(entry.digest)!.length);
  });

  it('carries entrypoint, args, env, working directory and volumes in the image config', () => {
    const index = box.json('/index.json');
    const manifest = JSON.parse(new TextDecoder().decode(box.blob(index.manifests[0].digest)));
    const config = JSON.parse(new TextDecoder().decode(box.blob(manifest.config.digest)));
    // one diff id per layer, or umoci indexes past the end (the layer is stored uncompressed: diff id = digest)
    expect(config).toMatchObject({ architecture: 'wasm', os: 'wasip1', rootfs: { type: 'layers', diff_ids: [manifest.layers[0].digest] } });
    expect(config.config).toEqual({
      Entrypoint: ['hello.wasm'], Cmd: ['from', 'oci'], Env: ['GREETING=hi'], WorkingDir: '/srv', Volumes: { '/data': {} },
    });
  });

  it('gives the same bytes for the same box', () => {
    const again = exportBox({
      capabilities: kernelAndProc, entrypoint: 'hello.wasm', args: ['from', 'oci'], env: ['GREETING=hi'],
      workdir: '/srv', mountPoints: ['/data'],
    });
    expect(again.tar).toEqual(box.tar);
  });
});

describe('box export --oci --layer tar (the default)', () => {
  const box = exportBox({ capabilities: kernelAndProc, entrypoint: 'hello.wasm', args: ['x'], env: [], workdir: '/srv', mountPoints: [] }, 'tar');

  it('is Docker\'s Wasm image form: a tar layer holding the box, platform wasi/wasm, entrypoint naming the file', () => {
    const index = box.json('/index.json');
    validate('image-index-schema.json', index);
    expect(index.manifests[0].platform).toEqual({ architecture: 'wasm', os: 'wasi' });
    const manifest = JSON.parse(new TextDecoder().decode(box.blob(index.manifests[0].digest)));
    validate('image-manifest-schema.json', manifest);
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0].mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    const config = JSON.parse(new TextDecoder().decode(box.blob(manifest.config.digest)));
    validate('config-schema.json', config);
    expect(config).toMatchObject({ architecture: 'wasm', os: 'wasi', rootfs: { type: 'layers', diff_ids: [manifest.layers[0].digest] } });
    expect(config.config).toMatchObject({ Entrypoint: ['/hello.box.wasm'], Cmd: ['x'], WorkingDir: '/srv' });
    const files = imageFromTar(box.blob(manifest.layers[0].digest)!).filter((e) => e.type === 'file');
    expect(files.map((e) => [e.path, e.mode])).toEqual([['/hello.box.wasm', 0o755]]);
    expect(files[0]!.data).toEqual(box.bytes);
  });
});
