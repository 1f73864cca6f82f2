import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.config.ts';

// main.test.ts mocks @marcotte/runtime/features (vi.mock): with a worker
// shared between files the mock could reach other files' imports, so each
// file here gets a fresh worker.
// This package's tests are the longest of the test command, which ends with
// them running alone: two files at a time on a 2-core machine instead of
// vitest's default of one worker fewer than the cores (one, there).
export default mergeConfig(shared, defineConfig({ test: { isolate: true, maxWorkers: '100%' } }));
