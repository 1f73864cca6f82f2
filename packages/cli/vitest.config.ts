import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';
import { LongestFirst } from '../../scripts/longest-first.ts';

// main.test.ts mocks @marcotte/runtime/features (vi.mock): with a worker
// shared between files the mock could reach other files' imports, so it runs
// in a project of its own with a fresh worker. No other file here mocks a
// module, so they share their worker as every other package's files do (a
// fresh worker per file cost about 0.25 s of CPU each: Node, vitest's
// runtime and the workspace's sources again).
// The slowest files start first (scripts/longest-first.ts says why). This
// package's own test script runs two files at a time on a 2-core machine
// (--maxWorkers=100%) instead of vitest's default of one worker fewer than the
// cores (one, there): the worker count is an option of the run, not of a
// project, since vitest runs every project of one run in one pool.
const mocked = 'src/main.test.ts';
// Each project takes the shared options (the reporters belong to the whole run). Vitest still
// adds the shared `include` to a project's own, so the mocked project excludes every other file.
const { reporters: _, ...options } = shared.test!;
export default mergeConfig(shared, defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    projects: [
      { test: { ...options, name: 'cli', exclude: [...configDefaults.exclude, mocked] } },
      { test: { ...options, name: 'cli (mocks)', include: [mocked], exclude: [...configDefaults.exclude, 'src/!(main).test.ts', 'test/**'], isolate: true } },
    ],
  },
}));
