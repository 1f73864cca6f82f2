import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.config.ts';
import { LongestFirst } from './test/longest-first.ts';

// main.test.ts mocks @marcotte/runtime/features (vi.mock): with a worker
// shared between files the mock could reach other files' imports, so it runs
// in a project of its own with a fresh worker. No other file here mocks a
// module, so they share their worker as every other package's files do (a
// fresh worker per file cost about 0.25 s of CPU each: Node, vitest's
// runtime and the workspace's sources again).
// This package's tests are the longest of the test command, which ends with
// them running alone: two files at a time on a 2-core machine instead of
// vitest's default of one worker fewer than the cores (one, there). Without
// vitest's own durations (a fresh clone), the slowest files start first
// (test/longest-first.ts says why).
const mocked = 'src/main.test.ts';
// Each project takes the shared options (the reporters belong to the whole run). Vitest still
// adds the shared `include` to a project's own, so the mocked project excludes every other file.
const { reporters: _, ...options } = shared.test!;
export default mergeConfig(shared, defineConfig({
  test: {
    maxWorkers: '100%',
    sequence: { sequencer: LongestFirst },
    projects: [
      { test: { ...options, name: 'cli', exclude: [...configDefaults.exclude, mocked] } },
      { test: { ...options, name: 'cli (mocks)', include: [mocked], exclude: [...configDefaults.exclude, 'src/!(main).test.ts', 'test/**'], isolate: true } },
    ],
  },
}));
