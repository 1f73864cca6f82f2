import { defineConfig } from 'vitest/config';
import { LongestFirst } from './scripts/longest-first.ts';
import { projectsOf } from './scripts/vitest-projects.ts';
import shared from './vitest.shared.ts';

// The test command's one `vitest run` (turbo's //#test:vitest, once the builds are done): every
// package's files in one process. One process instead of one per package saves, per package,
// pnpm's start, vitest's start and its transforms of the workspace's sources, which fourteen
// processes all redid at once. A package's own `vitest run` still works, from its own
// vitest.config.ts.
// Packages whose test options are the same share one vitest project (scripts/vitest-projects.ts
// says how and why); the others are projects of their own. Each project's files run in workers
// of their own: vitest reuses a worker only within a project, and starts a new one when a
// worker's next file is another project's.
// The test:vitest script sets the worker count (--maxWorkers: vitest takes it for every project
// only from the command line): one per core. Measured on fresh clones of the 2-core machine
// (the whole test command, load 7-13 from other work): 2 workers 251 s of CPU, 225 s on the
// clock; 3: 278 s, 332 s; 4: 280 s, 296 s; 6: 275 s, 225 s; idle, 2 against 3: 216 against
// 229 s of CPU, 134 against 130 s on the clock. More workers than cores did not pay.
export default defineConfig({
  test: {
    projects: await projectsOf(['packages/*', 'conformance', 'examples/*']),
    sequence: { sequencer: LongestFirst },
    reporters: shared.test!.reporters,
  },
});
