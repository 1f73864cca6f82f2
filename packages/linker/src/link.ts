// box-link as a function: program bytes + capabilities + settings -> box bytes.

import { BOX_FORMAT, MANIFEST_SECTION, type CapabilityDescriptor, type LinkSettings, type Manifest } from '@marcotte/abi';
import { readModule } from './binary/reader.ts';
import { writeModule } from './binary/writer.ts';
import { merge } from './merge.ts';

export interface LinkOptions extends LinkSettings {
  /** capability descriptors in link order; the kernel comes first */
  capabilities: readonly CapabilityDescriptor[];
}

export interface LinkResult {
  bytes: Uint8Array<ArrayBuffer>;
  manifest: Manifest;
}

export function link(program: Uint8Array, options: LinkOptions): LinkResult {
  const app = readModule(program);
  const settings: LinkSettings = { entrypoint: options.entrypoint, args: options.args, env: options.env };
  const caps = options.capabilities.map((descriptor) => {
    const config = descriptor.config?.(settings);
    return { descriptor, module: readModule(descriptor.wasm()), ...(config ? { config } : {}) };
  });
  const { module, hostImports, served } = merge(app, caps);
  const manifest: Manifest = {
    format: BOX_FORMAT,
    capabilities: Object.fromEntries(options.capabilities.map((c) => [c.name, { version: c.version }])),
    entrypoint: options.entrypoint,
    args: [...options.args],
    env: [...options.env],
    hostImports,
    served,
  };
  module.customs.push({ name: MANIFEST_SECTION, bytes: new TextEncoder().encode(JSON.stringify(manifest)), after: 0xff });
  return { bytes: writeModule(module), manifest };
}
