import { readFileSync } from 'node:fs';

/** The compiled module (built by `pnpm build` into build/kernel.wasm). */
export function wasm(): Uint8Array {
  return readFileSync(new URL('../build/kernel.wasm', import.meta.url));
}
