import { readFileSync } from 'node:fs';

/** The compiled module (built by `pnpm build` into build/clock.wasm). */
export function wasm(): Uint8Array {
  return readFileSync(new URL('../build/clock.wasm', import.meta.url));
}
