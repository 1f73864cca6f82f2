import { readFileSync } from 'node:fs';

/**
 * The scan kernel's compiled module (assembly/scan.ts, built by `pnpm build`
 * into build/scan.wasm). Bundles (the CLI's, the browser's) carry the bytes
 * instead: scripts/inline-wasm.mjs replaces this file.
 */
export function wasm(): Uint8Array {
  return readFileSync(new URL('../build/scan.wasm', import.meta.url));
}
