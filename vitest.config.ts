import { defineConfig } from 'vitest/config';

// Shared by every package: each package's `vitest run` picks this up through
// its own vitest.config.ts. Timeouts are generous: CI is a slow 2-core machine.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The second records skipped tests for the summary at the end of the test command.
    reporters: ['default', new URL('./scripts/skipped-tests.ts', import.meta.url).pathname],
  },
});
