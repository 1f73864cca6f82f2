// Bundles the CLI into dist/cli.js, with the capability modules inlined, each
// command in chunks of its own, flat beside it; `box run` again into
// dist/box-run.js, one file; and the thread that runs a box into
// dist/box-worker.js beside them (the runtime starts it from there): the
// bundles need nothing from the workspace at run time.

import { build } from 'esbuild';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
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

/**
 * Makes V8 compile the module bodies a run always evaluates when it compiles the bundle, so
 * that they are in Node's compile cache. Node stores the code cache V8 makes right after the
 * compile (before anything runs), and it holds only what V8 compiled eagerly. A bundle whose
 * modules are evaluated on first import (a dynamic import in one file) has each module's body
 * in esbuild's `__esm({ "path"() { ... } })`: a method, compiled lazily, so at every start V8
 * parsed the text of each module it evaluated again. A parenthesized function expression is
 * compiled eagerly: such a body becomes `"path": (function () { ... })` (async when it was),
 * the same call from __esm. Only the bodies of the modules `roots` import, directly or not,
 * through static imports (esbuild's metafile): eager code for a module a run never evaluates
 * (the linker's merge, the vfs image code) would be read from the cache at every start for
 * nothing (timed: a cache with every body took ~2 ms more to load than this one). The
 * functions inside a body stay lazy (most never run).
 */
async function eagerModuleBodies(file, metafile, roots) {
  const evaluated = new Set();
  const visit = (path) => {
    if (evaluated.has(path)) return;
    evaluated.add(path);
    for (const i of metafile.inputs[path]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  for (const root of roots) {
    if (!metafile.inputs[root]) throw new Error(`${file}: ${root} is not in the bundle`);
    visit(root);
  }
  const lines = (await readFile(file, 'utf8')).split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    if (!/^var init_\w+ = __esm\(\{$/.test(lines[i])) continue;
    const head = /^ {2}(async )?("(?:[^"\\]|\\.)*")\(\) \{$/.exec(lines[i + 1] ?? '');
    // esbuild's layout: `  "path"() {`, the body indented by four, `  }` and `});` alone on their lines
    const end = lines.indexOf('});', i + 2);
    if (!head || end < 0 || lines[end - 1] !== '  }') throw new Error(`${file}:${i + 2}: not the __esm layout this build knows`);
    if (!evaluated.has(JSON.parse(head[2]))) continue;
    out.push(`  ${head[2]}: (${head[1] ?? ''}function () {`, ...lines.slice(i + 2, end - 1), '  })', '});');
    i = end;
  }
  // esbuild names a body by the path its metafile uses: none found means they no longer agree
  if (!out.some((l) => l.endsWith(': (function () {') || l.endsWith(': (async function () {'))) throw new Error(`${file}: no module body of ${roots} found`);
  await writeFile(file, out.join('\n'));
}

// chunk names carry a hash: clear the last build's, or they pile up in the package
await rm('dist', { recursive: true, force: true });

/** What every bundle here is: an ES module for Node, flat in dist/. */
const forNode = {
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...forNode,
  entryPoints: { cli: 'src/main.ts' },
  // box export --component loads jco (and its wasm-tools build) from node_modules at run time: megabytes no other command needs
  external: ['@bytecodealliance/jco'],
  // each command is a dynamic import in main.ts: `box run` and `--version` load only their own chunks
  splitting: true,
  // flat: the runtime finds box-worker.js beside whichever chunk it lands in
  chunkNames: '[name]-[hash]',
  plugins: [inlineWasm, builtinsByRequire],
});

// `box run` alone, in one file with everything it can load (run-entry.ts says why): bin/run.js
// takes it for a run. Not split: the parts a run needs only sometimes (the worker, --commit,
// -w) are in it as code evaluated when first imported, and no class crosses from one bundle
// to the other (the worker thread, box-worker.js, only exchanges messages).
const runBuild = await build({
  ...forNode,
  entryPoints: { 'box-run': 'src/run-entry.ts' },
  plugins: [inlineWasm, builtinsByRequire],
  metafile: true,
});
// a run on the main thread always imports the runtime's node.ts (commands/run.ts)
await eagerModuleBodies('dist/box-run.js', runBuild.metafile, ['src/run-entry.ts', '../runtime/src/node.ts']);

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
const workerBuild = await build({
  ...forNode,
  entryPoints: { 'box-worker': '../runtime/src/box-worker.ts', 'box-worker-run': '../runtime/src/box-worker-run.ts' },
  plugins: [inlineWasm, builtinsByRequire, workerRun],
  metafile: true,
});
await eagerModuleBodies('dist/box-worker-run.js', workerBuild.metafile, ['../runtime/src/box-worker-run.ts']);

// The runtime's optional huge-page addon (runtime src/huge-pages.ts), beside the bundles, where the
// bundled runtime looks for it: absent when the runtime's build could not compile it (it said so).
await copyFile('../runtime/build/huge-pages.node', 'dist/huge-pages.node').catch((e) => {
  if (e.code !== 'ENOENT') throw e;
});

// `box --version` and `box --help` print these as they are (bin/run.js), without loading the
// bundle: their texts are the bundle's own, taken from it here, so the two cannot differ.
const cli = await import('./dist/cli.js');
await writeFile('dist/version.txt', await cli.versionText());
await writeFile('dist/help.txt', `${cli.BOX_HELP}\n`);
