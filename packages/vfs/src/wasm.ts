import { readFileSync } from 'node:fs';

/** The compiled module (built by `pnpm build` into build/vfs.wasm). */
export function wasm(): Uint8Array {
  return readFileSync(new URL('../build/vfs.wasm', import.meta.url));
}
