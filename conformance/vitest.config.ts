import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.ts';

export default mergeConfig(shared, defineConfig({ test: { include: ['fs/**/*.test.ts', 'core/**/*.test.ts', 'runner/**/*.test.ts', 'corpus/**/*.test.ts', 'hostile/**/*.test.ts', 'difffuzz/**/*.test.ts', 'testsuite/**/*.test.ts', '*.test.ts'] } }));
