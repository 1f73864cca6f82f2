import { mergeConfig } from 'vitest/config';
import base from '../../vitest.config.ts';

// The CLI's test files mostly wait: on the processes they spawn, on browsers, signals and timers
// (274 s wall for 143 s of CPU, one file after another). vitest's default of one worker per core
// but one ran them in sequence on the 2-core machine: three at a time overlap the waiting.
export default mergeConfig(base, { test: { maxWorkers: 3 } });
