// box-link as a function: program bytes + capabilities + settings -> box bytes.

import { BOX_FORMAT, MANIFEST_SECTION, type CapabilityDescriptor, type ImageEntry, type LinkSettings, type Manifest } from '@marcotte/abi';
import { WasmFormatError } from './binary/errors.ts';
import { readModule } from './binary/reader.ts';
import { writeModule } from './binary/writer.ts';
import type { Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { merge } from './merge.ts';

export interface LinkOptions extends LinkSettings {
  /** capability descriptors in link order; the kernel comes first */
  capabilities: readonly CapabilityDescriptor[];
  /** drop every custom section but the manifest */
  strip?: boolean;
  /** how errors name the program (its file name); default "the program" */
  programName?: string;
}

export interface LinkResult {
  bytes: Uint8Array<ArrayBuffer>;
  manifest: Manifest;
}

function read(bytes: Uint8Array, name: string): Module {
  try {
    return readModule(bytes);
  } catch (e) {
    if (e instanceof WasmFormatError) throw new LinkError(`${name}: ${e.message}`);
    throw e;
  }
}

/** The image with a directory at each mount point (and its parents), where host directories appear at run time. */
function withMountPoints(image: readonly ImageEntry[], mountPoints: readonly string[]): ImageEntry[] {
  const entries = [...image];
  const have = new Set(entries.map((e) => e.path));
  for (const mount of mountPoints) {
    const parts = mount.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const path = `/${parts.slice(0, i).join('/')}`;
      if (!have.has(path)) {
        have.add(path);
        entries.push({ path, type: 'dir' });
      }
    }
  }
  return entries;
}

export function link(program: Uint8Array, options: LinkOptions): LinkResult {
  const app = read(program, options.programName ?? 'the program');
  const settings: LinkSettings = {
    entrypoint: options.entrypoint, args: options.args, env: options.env,
    ...(options.workdir !== undefined ? { workdir: options.workdir } : {}),
    ...(options.image !== undefined || options.mountPoints?.length ? { image: withMountPoints(options.image ?? [], options.mountPoints ?? []) } : {}),
    ...(options.mountPoints?.length ? { mountPoints: options.mountPoints } : {}),
  };
  const caps = options.capabilities.map((descriptor) => {
    const config = descriptor.config?.(settings);
    return { descriptor, module: read(descriptor.wasm(), `capability ${descriptor.name}`), ...(config ? { config } : {}) };
  });
  const { module, hostImports, hostImportsBy, served, sizes } = merge(app, caps, { strip: options.strip ?? false });
  const manifest: Manifest = {
    format: BOX_FORMAT,
    capabilities: Object.fromEntries(options.capabilities.map((c) => [c.name, { version: c.version }])),
    entrypoint: options.entrypoint,
    args: [...options.args],
    env: [...options.env],
    ...(options.workdir !== undefined ? { workdir: options.workdir } : {}),
    ...(options.mountPoints?.length ? { mountPoints: [...options.mountPoints] } : {}),
    hostImports,
    hostImportsBy,
    served,
    sizes,
  };
  module.customs.push({ name: MANIFEST_SECTION, bytes: new TextEncoder().encode(JSON.stringify(manifest)), after: 0xff });
  try {
    return { bytes: writeModule(module), manifest };
  } catch (e) {
    // Code bodies are decoded as they are rewritten, which happens while writing.
    if (e instanceof WasmFormatError) throw new LinkError(`${options.programName ?? 'the program'}: ${e.inSection('code').message}`);
    throw e;
  }
}
