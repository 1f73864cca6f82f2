// Seeded mutations of the tools' inputs: wasm and box files (bytes, section
// lengths, the manifest), tar archives and Dockerfiles. Deterministic: the
// same seed gives the same inputs, so a failure names its seed.

import { createHash } from 'node:crypto';
import { rng } from '@marcotte/conformance';
import { readModule, writeModule } from '@marcotte/linker';

export { rng };

export type Rand = ReturnType<typeof rng>;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[r(xs.length)]!;

interface Section {
  id: number;
  /** offset of the id byte, of the size LEB, of the contents, and the end */
  start: number;
  sizeAt: number;
  contents: number;
  end: number;
  /** custom sections' names */
  name?: string;
}

function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let v = 0, shift = 0, b: number;
  do {
    if (at >= bytes.length) throw new Error('truncated LEB');
    b = bytes[at++]!;
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80 && shift < 35);
  return [v, at];
}

function encodeLeb(value: number, width = 0): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0 || out.length + 1 < width) b |= 0x80;
    out.push(b);
  } while (value > 0 || out.length < width);
  return out;
}

/** The sections of a well-formed module (inputs are valid before mutation). */
export function sections(bytes: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++]!;
    const sizeAt = at;
    const [size, contents] = leb(bytes, at);
    const s: Section = { id, start, sizeAt, contents, end: contents + size };
    if (id === 0) {
      const [len, nameAt] = leb(bytes, contents);
      s.name = new TextDecoder().decode(bytes.subarray(nameAt, nameAt + len));
    }
    out.push(s);
    at = s.end;
  }
  return out;
}

function concat(parts: readonly (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function customSection(name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = concat([encodeLeb(nameBytes.length), nameBytes, payload]);
  return concat([[0], encodeLeb(body.length), body]);
}

/** The module with custom section `name` replaced by `payload` (or removed when null). */
export function replaceCustom(bytes: Uint8Array, name: string, payload: Uint8Array | null): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of sections(bytes)) {
    if (s.name !== name) parts.push(bytes.subarray(s.start, s.end));
    else if (payload) parts.push(customSection(name, payload));
  }
  return concat(parts);
}

export function customPayload(bytes: Uint8Array, name: string): Uint8Array | undefined {
  const s = sections(bytes).find((x) => x.name === name);
  if (!s) return undefined;
  const [len, nameAt] = leb(bytes, s.contents);
  return bytes.subarray(nameAt + len, s.end);
}

// --- byte-level mutations, for any file ---

export function flipBits(r: Rand, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input);
  const n = 1 + r(8);
  for (let i = 0; i < n; i++) { const at = r(out.length); out[at] = out[at]! ^ (1 << r(8)); }
  return out;
}

export function setBytes(r: Rand, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input);
  const n = 1 + r(4);
  for (let i = 0; i < n; i++) out[r(out.length)] = pick(r, [0, 0xff, 0x7f, 0x80, r(256)]);
  return out;
}

export function truncate(r: Rand, input: Uint8Array): Uint8Array {
  return input.subarray(0, r(input.length));
}

export function insert(r: Rand, input: Uint8Array): Uint8Array {
  const at = r(input.length + 1);
  const junk = Uint8Array.from({ length: 1 + r(16) }, () => r(256));
  return concat([input.subarray(0, at), junk, input.subarray(at)]);
}

/** One section's size LEB rewritten (same width): off by one, zero, or huge. */
export function corruptSectionLength(r: Rand, input: Uint8Array): Uint8Array {
  const list = sections(input);
  const s = pick(r, list);
  const width = s.contents - s.sizeAt;
  const size = s.end - s.contents;
  const max = 2 ** Math.min(32, 7 * width) - 1;
  const value = Math.min(max, pick(r, [size + 1, Math.max(0, size - 1), 0, max, r(max + 1), size * 2]));
  const out = new Uint8Array(input);
  out.set(encodeLeb(value, width).slice(0, width), s.sizeAt);
  return out;
}

const VALTYPES = [0x7f, 0x7e, 0x7d, 0x7c];

/**
 * One function type changed (a parameter or result added, removed or of
 * another value type), the module otherwise intact: imports that no longer
 * have preview1's types, an entry point that returns something.
 */
export function retype(r: Rand, input: Uint8Array): Uint8Array {
  const m = readModule(input);
  const type = m.types[r(m.types.length)];
  if (!type) return input;
  const list = r(2) ? type.params : type.results;
  const op = r(3);
  if (op === 0 || list.length === 0) list.push(pick(r, VALTYPES));
  else if (op === 1) list.splice(r(list.length), 1);
  else list[r(list.length)] = pick(r, VALTYPES);
  return writeModule(m);
}

/** Bytes mutated at random, one section's length, or one function type. */
export function mutateWasm(r: Rand, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const kind = pick(r, ['flip', 'set', 'truncate', 'insert', 'section-length', 'retype'] as const);
  const fn = { flip: flipBits, set: setBytes, truncate, insert, 'section-length': corruptSectionLength, retype }[kind];
  return { bytes: fn(r, input), how: kind };
}

// --- box manifests ---

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const WRONG: readonly Json[] = [null, 42, -1, 1e300, 'x', '', [], {}, true, [1, 2], { a: 1 }];

/** Every path to a value inside `json` (object keys and array indices), the root excluded. */
function paths(json: Json, at: (string | number)[] = []): (string | number)[][] {
  if (json === null || typeof json !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(json) ? json.map((_, i) => i) : Object.keys(json);
  return keys.flatMap((k) => [[...at, k], ...paths((json as Record<string | number, Json>)[k]!, [...at, k])]);
}

/** A copy of `json` with the value at `path` replaced by `value`, or deleted when `value` is undefined. */
function edit(json: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(json);
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (value !== undefined) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

/** Values aimed at numbers that index or size something: off the end, negative, fractional, huge. */
const NUMBERS: readonly Json[] = [-1, 0, 1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 1e300, 1000];

/** One value somewhere in `json` (at any depth) deleted or replaced by a wrong or edge value. */
function mutateJson(r: Rand, json: Json, aimed: readonly Json[] = []): { json: Json; how: string } {
  const all = paths(json);
  if (all.length === 0) return { json: pick(r, WRONG), how: 'root' };
  const path = pick(r, all);
  const op = pick(r, aimed.length ? (['delete', 'wrong', 'number', 'aimed', 'aimed'] as const) : (['delete', 'wrong', 'number'] as const));
  const value = op === 'delete' ? undefined : pick(r, op === 'wrong' ? WRONG : op === 'number' ? NUMBERS : aimed);
  return { json: edit(json, path, value), how: `${op} ${path.join('.')}` };
}

/**
 * box.parts with its JSON header mutated at any depth (blob ranges, names,
 * provides, stubs, denied), the blobs kept: what decodeParts and dynamic
 * mode must refuse in one line.
 */
function mutatePartsHeader(r: Rand, parts: Uint8Array): { bytes: Uint8Array; how: string } {
  const length = new DataView(parts.buffer, parts.byteOffset, parts.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(parts.subarray(4, 4 + length))) as Json;
  const m = mutateJson(r, header);
  const json = new TextEncoder().encode(JSON.stringify(m.json));
  const out = new Uint8Array(4 + json.length + parts.length - 4 - length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(parts.subarray(4 + length), 4 + json.length);
  return { bytes: out, how: m.how };
}

/**
 * A manifest edit: a newer or broken format, a key removed or of the wrong
 * type, a value at any depth (the build record's layers, labels …) wrong,
 * broken JSON, box.parts removed, its bytes or its header's fields damaged.
 */
export function mutateBox(r: Rand, box: Uint8Array): { bytes: Uint8Array; how: string } {
  const payload = customPayload(box, 'box');
  if (!payload) throw new Error('not a box');
  const text = new TextDecoder().decode(payload);
  const manifest = JSON.parse(text) as Record<string, Json>;
  const keys = Object.keys(manifest);
  const kind = pick(r, ['newer-format', 'format', 'delete-key', 'wrong-type', 'nested', 'deep', 'deep', 'json', 'no-manifest', 'no-parts', 'parts-bytes', 'parts-header', 'parts-header', 'bytes'] as const);
  const write = (m: Json) => replaceCustom(box, 'box', new TextEncoder().encode(JSON.stringify(m)));
  switch (kind) {
    case 'newer-format':
      return { bytes: write({ ...manifest, format: (manifest.format as number) + 1 + r(100) }), how: kind };
    case 'format':
      return { bytes: write({ ...manifest, format: pick(r, WRONG) }), how: kind };
    case 'delete-key': {
      const key = pick(r, keys);
      const { [key]: _, ...rest } = manifest;
      return { bytes: write(rest), how: `${kind} ${key}` };
    }
    case 'wrong-type': {
      const key = pick(r, keys);
      return { bytes: write({ ...manifest, [key]: pick(r, WRONG) }), how: `${kind} ${key}` };
    }
    case 'nested': {
      // a field inside an object-valued key
      const objects = keys.filter((k) => manifest[k] && typeof manifest[k] === 'object' && !Array.isArray(manifest[k]));
      const key = pick(r, objects);
      const inner = { ...(manifest[key] as Record<string, Json>) };
      const innerKeys = Object.keys(inner);
      if (innerKeys.length) inner[pick(r, innerKeys)] = pick(r, WRONG);
      return { bytes: write({ ...manifest, [key]: inner }), how: `${kind} ${key}` };
    }
    case 'json': {
      const cut = text.slice(0, r(text.length));
      return { bytes: replaceCustom(box, 'box', new TextEncoder().encode(pick(r, [cut, '{', '', 'null', '[]', '"box"', `${text}}`]))), how: kind };
    }
    case 'no-manifest':
      return { bytes: replaceCustom(box, 'box', null), how: kind };
    case 'no-parts':
      // a portable box whose parts are gone, still saying portable: true
      return { bytes: replaceCustom(box, 'box.parts', null), how: kind };
    case 'deep': {
      const m = mutateJson(r, manifest);
      return { bytes: write(m.json), how: `${kind} ${m.how}` };
    }
    case 'parts-header': {
      const parts = customPayload(box, 'box.parts');
      if (!parts) return { bytes: box, how: kind };
      const m = mutatePartsHeader(r, parts);
      return { bytes: replaceCustom(box, 'box.parts', m.bytes), how: `${kind} ${m.how}` };
    }
    case 'parts-bytes': {
      const parts = customPayload(box, 'box.parts');
      if (!parts) return { bytes: box, how: kind };
      const broken = pick(r, [flipBits, setBytes, truncate, insert])(r, parts);
      return { bytes: replaceCustom(box, 'box.parts', broken), how: kind };
    }
    case 'bytes':
      return mutateWasm(r, box);
  }
}

// --- tar archives ---

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

export interface TarEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  data?: string;
  target?: string;
}

/** A ustar archive of these entries. */
export function tar(entries: readonly TarEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const data = new TextEncoder().encode(e.data ?? '');
    const h = new Uint8Array(512);
    const put = (at: number, s: string) => h.set(new TextEncoder().encode(s), at);
    put(0, e.path);
    put(100, octal(e.type === 'dir' ? 0o755 : 0o644, 8));
    put(108, octal(0, 8));
    put(116, octal(0, 8));
    put(124, octal(e.type === 'file' ? data.length : 0, 12));
    put(136, octal(1_700_000_000, 12));
    put(148, '        ');
    put(156, e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2');
    if (e.target) put(157, e.target);
    put(257, 'ustar\0');
    put(263, '00');
    put(148, octal(h.reduce((a, b) => a + b, 0), 7));
    blocks.push(h);
    if (e.type === 'file') {
      const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
      body.set(data);
      blocks.push(body);
    }
  }
  blocks.push(new Uint8Array(1024));
  return concat(blocks);
}

/** Header fields aimed at: size, type, name, checksum, mode; else bytes anywhere. */
export function mutateTar(r: Rand, input: Uint8Array): { bytes: Uint8Array; how: string } {
  const out = new Uint8Array(input);
  const header = 512 * r(Math.max(1, Math.floor(input.length / 512) - 2));
  const field = pick(r, ['size', 'type', 'name', 'checksum', 'mode', 'linkname', 'magic', 'bytes', 'truncate'] as const);
  const put = (at: number, s: string) => out.set(new TextEncoder().encode(s).subarray(0, 512 - at), header + at);
  switch (field) {
    case 'size': put(124, pick(r, ['77777777777\0', '00000001000\0', 'zzzzzzzzzzz\0', '\x80\0\0\0\0\0\0\x01\0\0\0\0', '-0000000001\0'])); break;
    case 'type': put(156, pick(r, ['1', '3', '4', '6', '7', 'x', 'L', 'K', 'g', '\0'])); break;
    case 'name': put(0, pick(r, ['../../escape', '/abs/path', 'a/../../b', '', 'a\0b', 'x'.repeat(100), './', '..'])); break;
    case 'checksum': put(148, pick(r, ['0000000\0', 'garbage!', '9999999\0'])); break;
    case 'mode': put(100, pick(r, ['7777777\0', 'zzzzzzz\0'])); break;
    case 'linkname': put(157, pick(r, ['../../../../etc/passwd', '/etc/shadow', '', 'self'])); break;
    case 'magic': put(257, pick(r, ['ustar  \0', 'nope!\0', '\0\0\0\0\0\0'])); break;
    case 'bytes': return { bytes: flipBits(r, input), how: 'bytes' };
    case 'truncate': return { bytes: truncate(r, input), how: 'truncate' };
  }
  return { bytes: out, how: `header ${header / 512} ${field}` };
}

// --- Dockerfiles ---

const TOKENS = [
  'FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'ARG', 'WORKDIR', 'ENTRYPOINT', 'CMD', 'USER', 'LABEL', 'EXPOSE', 'VOLUME',
  'SHELL', 'HEALTHCHECK', 'ONBUILD', 'STOPSIGNAL', 'MAINTAINER', 'scratch', '--from=0', '--from=nope', '--chown=1:1',
  '--chmod=999', '--link', '--platform=x', '\\', '${', '${X:-', '$X', '"', "'", '[', ']', '["a",', '# escape=`',
  '# syntax=x', '..', '../..', '/', '*', '**', '?', '[a-', '=', 'AS', 'as x', '<<EOF', '\t', '\0', '\u00e9', ' ', '',
  'hello.wasm', '/bin/hello', 'data/', 'ctx.tar', 'x'.repeat(300),
];

/** Line-level edits of a Dockerfile: delete, duplicate, swap, insert tokens, cut, flip characters. */
export function mutateDockerfile(r: Rand, input: string): { text: string; how: string } {
  const lines = input.split('\n');
  const kind = pick(r, ['delete', 'duplicate', 'swap', 'token', 'tokens-line', 'cut', 'chars'] as const);
  const i = r(lines.length);
  switch (kind) {
    case 'delete': lines.splice(i, 1); break;
    case 'duplicate': lines.splice(i, 0, lines[i]!); break;
    case 'swap': { const j = r(lines.length); [lines[i], lines[j]] = [lines[j]!, lines[i]!]; break; }
    case 'token': {
      const words = lines[i]!.split(' ');
      words.splice(r(words.length + 1), pick(r, [0, 1]), pick(r, TOKENS));
      lines[i] = words.join(' ');
      break;
    }
    case 'tokens-line': lines.splice(i, 0, Array.from({ length: 1 + r(5) }, () => pick(r, TOKENS)).join(' ')); break;
    case 'cut': return { text: input.slice(0, r(input.length)), how: kind };
    case 'chars': {
      const chars = [...input];
      for (let k = 0; k < 1 + r(4); k++) chars[r(chars.length)] = String.fromCharCode(pick(r, [0, 10, 13, 34, 36, 39, 91, 92, 93, 123, 125, r(128)]));
      return { text: chars.join(''), how: kind };
    }
  }
  return { text: lines.join('\n'), how: kind };
}

// --- OCI image layouts (box build FROM oci-archive:) ---

/** The parts of a one-image layout, parsed: what mutateOciImage edits. */
export interface OciParts {
  index: Json;
  manifest: Json;
  config: Json;
  layer: Uint8Array;
  /** what the layer blob is: a box (the Wasm-layer form) or a tar */
  layerKind: 'box' | 'tar';
}

/** Values aimed at a layout's fields: references that climb or forge, media types swapped, platforms. */
const OCI_VALUES: readonly Json[] = [
  `sha256:${'0'.repeat(64)}`, 'sha256:../../../../etc/passwd', 'sha512:abc', '../blobs/sha256/x', '/etc/passwd',
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm', 'application/wasm',
  'amd64', 'wasm', 'wasip2', '/bin/hello', 'hello', '/', '..', 'KEY', '=x', '8080/udp', '0/tcp', '99999/tcp', 'x'.repeat(300),
];

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const bytesOf = (j: Json) => new TextEncoder().encode(JSON.stringify(j));
type Obj = Record<string, any>;

/**
 * A layout with one edit that its digests agree with, so that it reaches
 * the checks past the hashes: a value at any depth of index.json, the
 * manifest or the config, or the layer's own bytes (a mutated box or tar);
 * every blob above the edit is hashed again. Or the archive's raw bytes
 * (done by the caller with mutateTar). Returns blob path -> bytes.
 */
export function mutateOciImage(r: Rand, p: OciParts): { files: Map<string, Uint8Array>; how: string } {
  const target = pick(r, ['index', 'manifest', 'config', 'layer'] as const);
  let how: string = target;
  let layer = p.layer;
  if (target === 'layer') {
    const m = p.layerKind === 'box' ? mutateBox(r, layer) : mutateTar(r, layer);
    layer = m.bytes;
    how = `layer ${m.how}`;
  }
  const config = structuredClone(p.config) as Obj;
  if (config.rootfs?.diff_ids?.length) config.rootfs.diff_ids[0] = sha(layer);
  let configJson: Json = config;
  if (target === 'config') {
    const m = mutateJson(r, config, OCI_VALUES);
    configJson = m.json;
    how = `config ${m.how}`;
  }
  const configBytes = bytesOf(configJson);
  const manifest = structuredClone(p.manifest) as Obj;
  Object.assign(manifest.config, { digest: sha(configBytes), size: configBytes.length });
  Object.assign(manifest.layers[0], { digest: sha(layer), size: layer.length });
  let manifestJson: Json = manifest;
  if (target === 'manifest') {
    const m = mutateJson(r, manifest, OCI_VALUES);
    manifestJson = m.json;
    how = `manifest ${m.how}`;
  }
  const manifestBytes = bytesOf(manifestJson);
  const index = structuredClone(p.index) as Obj;
  Object.assign(index.manifests[0], { digest: sha(manifestBytes), size: manifestBytes.length });
  let indexJson: Json = index;
  if (target === 'index') {
    const m = mutateJson(r, index, OCI_VALUES);
    indexJson = m.json;
    how = `index ${m.how}`;
  }
  const files = new Map<string, Uint8Array>([['oci-layout', bytesOf({ imageLayoutVersion: '1.0.0' })], ['index.json', bytesOf(indexJson)]]);
  for (const b of [layer, configBytes, manifestBytes]) files.set(`blobs/sha256/${sha(b).slice('sha256:'.length)}`, b);
  return { files, how };
}
