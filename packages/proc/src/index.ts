import type { CapabilityDescriptor, LinkSettings } from '@marcotte/abi';
import { wasm } from './wasm.ts';
import pkg from '../package.json' with { type: 'json' };

const encoder = new TextEncoder();

/**
 * The bytes proc reads through box:config at init: u32 argc, u32 envc, then
 * argv (entrypoint first, then the default args) and KEY=VALUE env strings,
 * each NUL-terminated.
 */
export function procConfig(settings: LinkSettings): Uint8Array {
  const strings = [settings.entrypoint, ...settings.args, ...settings.env];
  for (const s of strings) {
    if (s.includes('\0')) throw new Error(`argv and env values cannot contain NUL: ${JSON.stringify(s)}`);
  }
  const parts = strings.map((s) => encoder.encode(s));
  const out = new Uint8Array(8 + parts.reduce((n, p) => n + p.length + 1, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, 1 + settings.args.length, true);
  view.setUint32(4, settings.env.length, true);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length + 1;
  }
  return out;
}

/** proc: argv and environment with container semantics, and exit. */
export const proc: CapabilityDescriptor = {
  name: 'proc',
  // A getter keeps the descriptor free of side effects, so bundles that never use it (the browser's) drop it.
  get version() {
    return pkg.version;
  },
  wasm,
  // box build links it for a program that reads its argv or environment.
  impliedBy: { options: ['proc', 'sealed', 'env', 'args'], imports: ['args_', 'environ_'] },
  provides: ['args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'proc_exit', 'proc_raise', 'sched_yield'],
  init: 'init',
  support: {
    args_get: { status: 'supported' },
    args_sizes_get: { status: 'supported' },
    environ_get: { status: 'supported' },
    environ_sizes_get: { status: 'supported' },
    proc_exit: { status: 'supported' },
    proc_raise: { status: 'unsupported', note: 'signals are not delivered inside a box (ENOSYS)' },
    sched_yield: { status: 'supported' },
  },
  config: (settings) => [procConfig(settings)],
};
