// Bundles the CLI into dist/cli.js, with the capability modules inlined, each
// command in chunks of its own, flat beside it; `box run` again into
// dist/box-run.js, one file; and the thread that runs a box into
// dist/box-worker.js beside them (the runtime starts it from there): the
// bundles need nothing from the workspace at run time.

import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { inlineWasm } from '../../scripts/inline-wasm.mjs';

/**
 * Node builtins taken through process.getBuiltinModule instead of an ES
 * import: Node builds the ES facade of a builtin by reading every one of its
 * exports, lazy ones included, so `import { readFileSync } from 'node:fs'`
 * loaded fs/promises, readline and every stream module (~35 internal
 * modules; 25-35 ms of a 100 ms start on the 2-core machine), and
 * node:child_process, node:crypto, node:module and node:worker_threads cost
 * 7-15 ms each. Each name the bundle imports becomes one property read,
 * marked pure so that esbuild drops the names no chunk uses. Node before
 * 20.16 has no getBuiltinModule: there the import happens as before.
 */
/** node:wasi says it is experimental when first loaded: not news in a build log. */
function quietly(f) {
  const emit = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return f();
  } finally {
    process.emitWarning = emit;
  }
}

const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'node-builtin' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => {
      const name = JSON.stringify(args.path);
      const names = Object.keys(quietly(() => process.getBuiltinModule(args.path))).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      return {
        contents: `const m = process.getBuiltinModule?.(${name}) ?? await import(${name});\n` +
          'const pick = (n) => m[n];\nexport default m;\n' +
          names.map((n) => `export const ${n} = /* @__PURE__ */ pick(${JSON.stringify(n)});\n`).join(''),
        loader: 'js',
      };
    });
  },
};

// chunk names carry a hash: clear the last build's, or they pile up in the package
await rm('dist', { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/main.ts' },
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
  plugins: [inlineWasm, builtinsByRequire],
  logLevel: 'warning',
});

// `box run` alone, in one file with everything it can load (run-entry.ts says why): bin/run.js
// takes it for a run. Not split: the parts a run needs only sometimes (the worker, --commit,
// -w) are in it as code evaluated when first imported, and no class crosses from one bundle
// to the other (the worker thread, box-worker.js, only exchanges messages).
await build({
  entryPoints: { 'box-run': 'src/run-entry.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  legalComments: 'none',
  plugins: [inlineWasm, builtinsByRequire],
  logLevel: 'warning',
});

// The thread that runs a box in a worker, beside the bundles (the runtime starts it from there):
// box-worker.js turns on the compile cache, then imports box-worker-run.js, the runtime in one
// file. A thread of its own shares no module with the bundles above, so it needs no chunks.
const workerRun = {
  name: 'worker-run',
  setup(b) {
    b.onResolve({ filter: /box-worker-run\.ts$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './box-worker-run.js', external: true } : undefined);
  },
};
await build({
  entryPoints: { 'box-worker': '../runtime/src/box-worker.ts', 'box-worker-run': '../runtime/src/box-worker-run.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  legalComments: 'none',
  plugins: [inlineWasm, builtinsByRequire, workerRun],
  logLevel: 'warning',
});

// `box --version` and `box --help` print these as they are (bin/run.js), without loading the
// bundle: their texts are the bundle's own, taken from it here, so the two cannot differ.
const cli = await import('./dist/cli.js');
await writeFile('dist/version.txt', await cli.versionText());
await writeFile('dist/help.txt', `${cli.BOX_HELP}\n`);
