// The order test files start in. Vitest's own (BaseSequencer) runs one
// project after another, largest files first without durations (a fresh
// clone, CI: its results cache is under node_modules): small but slow files
// (the CLI's fuzz.test.ts: 132 lines, 40 s; its Firefox end-to-end file: 78
// lines, 16-34 s) and the slow files of the projects whose names sort last
// (examples/yosys) started late, one of them running alone for the run's
// last half minute. The files that take longest start first here, so that
// the workers end close together, each project's together (below). Used by
// the root's run (every package) and by the CLI's own.

import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const REPO = new URL('..', import.meta.url).pathname;

/**
 * The slowest files, slowest first, from the repository's root: wall seconds of each file's
 * tests in one `vitest run` of every package (the test command's, two workers, a fresh clone,
 * load 3 on the 2-core machine, 2026-12-07; a file's setup before its first test is not
 * counted). A file not listed starts after these, in vitest's order.
 */
const SLOWEST = [
  'packages/cli/src/fuzz.test.ts', // 22.6 s
  'packages/cli/test/serve.e2e.test.ts', // 11.5 s
  'packages/cli/src/cli.test.ts', // 10.8 s
  'packages/cli/src/component.test.ts', // 9.5 s
  'conformance/difffuzz/difffuzz.test.ts', // 6.2 s
  'examples/yosys/build.test.ts', // 6.1 s
  'packages/cli/src/lifecycle.test.ts', // 5.8 s
  'examples/http-server/test/server.test.ts', // 5.2 s
  'examples/yosys/yosys.test.ts', // 5.1 s
  'packages/cli/src/first-contact.test.ts', // 4.2 s
  'packages/cli/test/serve.firefox.e2e.test.ts', // 3.9 s
  'packages/cli/src/single-memory.test.ts', // 3.9 s
  'packages/linker/src/differential.test.ts', // 3.8 s
  'packages/cli/src/build.test.ts', // 3.7 s
  'packages/builder/test/build.test.ts', // 2.8 s
  'packages/runtime/src/isolated.test.ts', // 2.7 s
  'packages/linker/src/single-memory.test.ts', // 2.6 s
  'conformance/testsuite/testsuite.test.ts', // 2.4 s
  'packages/cli/src/authority.test.ts', // 2.3 s
];

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = SLOWEST.indexOf(relative(REPO, spec.moduleId));
      return at < 0 ? SLOWEST.length : at;
    };
    // A project's files stay together, the projects in the order of their slowest files: a
    // worker serves the files of one project only, and one whose next file is another
    // project's is closed and a new one started (Node, vitest's runtime, the project's
    // imports: 1-2 s of a worker's time on the 2-core machine), so interleaving the projects'
    // slow files cost a worker start at nearly every file.
    const first = new Map<string, number>();
    for (const spec of sorted) first.set(spec.project.name, Math.min(first.get(spec.project.name) ?? Infinity, rank(spec)));
    const order = (spec: TestSpecification) => [first.get(spec.project.name)!, rank(spec)] as const;
    // Array.prototype.sort is stable: the unlisted files keep vitest's order.
    return sorted.sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1]);
  }
}
