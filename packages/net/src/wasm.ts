import { readFileSync } from 'node:fs';

/** The compiled module (built by `pnpm build` into build/net.wasm). */
export function wasm(): Uint8Array {
  return readFileSync(new URL('../build/net.wasm', import.meta.url));
}
