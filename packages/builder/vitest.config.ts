import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// setup.ts removes each test file's scratch directories when the file ends.
export default mergeConfig(shared, defineConfig({ test: { setupFiles: ['test/setup.ts'] } }));
