// An esbuild plugin for bundles that must not read files at run time (the
// CLI's, the browser's): each package's `src/wasm.ts`, which reads the
// package's compiled module from build/<name>.wasm, becomes the bytes
// themselves. A `src/wasm.ts` that reads no build/*.wasm is left as it is.

import { readFile } from 'node:fs/promises';

export const inlineWasm = {
  name: 'inline-wasm',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]wasm\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const match = /new URL\('(\.\.\/build\/[\w-]+\.wasm)'/.exec(source);
      if (!match) return undefined;
      const bytes = await readFile(new URL(match[1], `file://${args.path}`));
      return {
        // Decoded on first use: a command that links nothing (run, --version) never pays for it. A plain loop:
        // Uint8Array.from with a function called per byte took 12 ms for box-link's four capabilities, cold, this 1.4.
        contents: `const base64 = ${JSON.stringify(bytes.toString('base64'))};\nlet bytes;\n` +
          'export function wasm() {\n  if (bytes) return bytes;\n  const text = atob(base64);\n  const out = new Uint8Array(text.length);\n' +
          '  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);\n  return (bytes = out);\n}\n',
        loader: 'js',
      };
    });
  },
};
