// The scan kernel's compiled module (assembly/scan.ts, built by `pnpm build`
// into build/scan.wasm). The CLI's bundle inlines the bytes (its build.mjs);
// elsewhere they are read from the package, through Node's fs when there is
// one: a browser bundle has none, and the linker then scans in JavaScript.

type Fs = typeof import('node:fs');

export function wasm(): Uint8Array | undefined {
  const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as Fs | undefined;
  try {
    return fs?.readFileSync(new URL('../build/scan.wasm', import.meta.url));
  } catch {
    return undefined; // not built: the JavaScript scan does the same work
  }
}
