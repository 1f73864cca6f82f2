import { readFileSync } from 'node:fs';

/** The compiled module (built by `pnpm build` into build/proc.wasm). */
export function wasm(): Uint8Array {
  return readFileSync(new URL('../build/proc.wasm', import.meta.url));
}
