// Runs before each test file (vitest.config.ts's setupFiles), so that each file's scratch
// directories are removed when it ends (helpers.ts says why not from there).

import { afterAll } from 'vitest';
import { removeScratchDirs } from './helpers.ts';

afterAll(removeScratchDirs);
