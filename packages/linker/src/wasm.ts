// The scan kernel's compiled module (assembly/scan.ts, built by `pnpm build`
// into build/scan.wasm); the CLI's bundle inlines the bytes (its build.mjs).
// Browsers get wasm.browser.ts instead (package.json "imports").

import { readFileSync } from 'node:fs';

export function wasm(): Uint8Array | undefined {
  try {
    return readFileSync(new URL('../build/scan.wasm', import.meta.url));
  } catch {
    return undefined; // not built: the JavaScript scan does the same work
  }
}
