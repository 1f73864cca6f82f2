import { defineConfig } from 'vitest/config';

// Node processes the tests start (the CLI's bin, conformance children, fuzz
// drivers, vitest's own workers) reuse V8's compiled code and Node's
// TypeScript stripping from this cache instead of redoing both at each start:
// about 0.4 s of CPU per child, for hundreds of children per test run. The
// cache is keyed by each file's contents, so a changed file is compiled
// afresh; it changes nothing a test can observe. Tests that start a child
// with an explicit env pass NODE_COMPILE_CACHE on.
process.env.NODE_COMPILE_CACHE ??= new URL('./node_modules/.cache/node-compile-cache', import.meta.url).pathname;

// Shared by every package: each package's vitest.config.ts starts from these
// options, for its own `vitest run` and as a project of the root's (the test
// command's one run, vitest.config.ts). Timeouts are generous: CI is a slow
// 2-core machine.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Test files run one after another in the same worker, which keeps its
    // loaded modules: a fresh worker per file cost about 0.5 s of CPU each
    // (Node start, vitest's runtime, the workspace packages' sources again),
    // about a third of a small package's test time. No test here relies on a
    // fresh module state; a package whose tests mock modules (vi.mock) sets
    // isolate back to true in its own vitest.config.ts.
    isolate: false,
    // The workspace packages' built bundles (packages/*/dist, what `@marcotte/*` imports
    // resolve to) load as Node loads them, as node_modules do, instead of through vite's
    // transform: they are JavaScript already, up to 2 MB each (the CLI's bundle, the web
    // playground's assets), and vite rewrote and source-mapped each of them once per project,
    // then every worker evaluated the rewrite without V8's code cache. On a fresh clone the
    // transforms cost the run's main process ~5 s of CPU. A test's own sources (src/, test/)
    // are still transformed, so vi.mock still reaches their imports of these bundles.
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
    // The second records skipped tests for the summary at the end of the test command.
    reporters: ['default', new URL('./scripts/skipped-tests.ts', import.meta.url).pathname],
  },
});
