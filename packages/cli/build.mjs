// Bundles the CLI into dist/cli.js, with the capability modules inlined, and
// the thread that runs a box into dist/box-worker.js beside it, each command
// in chunks of its own, flat beside them (the runtime
// starts it from there): the bundles need nothing from the workspace at run time.

import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

/** Replaces each capability's `src/wasm.ts` (which reads build/<name>.wasm) by the bytes themselves. */
const inlineCapabilityWasm = {
  name: 'inline-capability-wasm',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]wasm\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const match = /new URL\('(\.\.\/build\/[\w-]+\.wasm)'/.exec(source);
      if (!match) return undefined;
      const bytes = await readFile(new URL(match[1], `file://${args.path}`));
      return {
        // decoded on first use: a command that links nothing (run, --version) never pays for it
        contents: `const base64 = ${JSON.stringify(bytes.toString('base64'))};\nlet bytes;\n` +
          'export function wasm() { return (bytes ??= Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))); }\n',
        loader: 'js',
      };
    });
  },
};

// chunk names carry a hash: clear the last build's, or they pile up in the package
await rm('dist', { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/main.ts', 'box-worker': '../runtime/src/box-worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  // box export --component loads jco (and its wasm-tools build) from node_modules at run time: megabytes no other command needs
  external: ['@bytecodealliance/jco'],
  format: 'esm',
  // each command is a dynamic import in main.ts: `box run` and `--version` load only their own chunks
  splitting: true,
  // flat: the runtime finds box-worker.js beside whichever chunk it lands in
  chunkNames: '[name]-[hash]',
  target: 'node22',
  legalComments: 'none',
  plugins: [inlineCapabilityWasm],
  logLevel: 'warning',
});
