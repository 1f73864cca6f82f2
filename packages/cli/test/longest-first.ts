// The order this package's test files start in when vitest has no durations
// of its own yet (a fresh clone, CI: its results cache is under node_modules).
// Vitest then starts the largest files first, and the small but slow ones
// (fuzz.test.ts: 132 lines, 40 s; the Firefox end-to-end file: 78 lines,
// 16-34 s) started last, one of them running alone on one core for most of
// the package's last half minute. Files that take longest start first here,
// so that the two workers end close together; once vitest has durations it
// orders by them itself, as BaseSequencer does.

import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest files, slowest first: wall seconds in one `vitest run` of the
 * package (load 8-11 on the 2-core machine, this session). A file not listed
 * starts after these, in vitest's own order.
 */
const SLOWEST = [
  'src/fuzz.test.ts', // 42 s
  'test/serve.e2e.test.ts', // 37 s
  'src/component.test.ts', // 29 s
  'src/cli.test.ts', // 21 s
  'src/lifecycle.test.ts', // 18 s
  'test/serve.firefox.e2e.test.ts', // 16 s
  'src/first-contact.test.ts', // 15 s
  'src/single-memory.test.ts', // 10 s
  'src/authority.test.ts', // 8 s
  'src/build.test.ts', // 8 s
];

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    if (files.every((spec) => this.ctx.cache.getTestSpecificationResult(spec))) return sorted;
    const rank = (spec: TestSpecification) => {
      const at = SLOWEST.findIndex((path) => spec.moduleId.endsWith(`/packages/cli/${path}`));
      return at < 0 ? SLOWEST.length : at;
    };
    // Array.prototype.sort is stable: the unlisted files keep vitest's order, projects their grouping.
    return sorted.sort((a, b) => (a.project.name === b.project.name ? rank(a) - rank(b) : 0));
  }
}
