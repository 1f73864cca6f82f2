// A vitest reporter that records which tests a package's run skipped, so
// that the test command can name them at the end (scripts/test-summary.mjs):
// turbo shows only failing tasks' logs, and a skipped browser test must not
// read as a pass.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** Where each package's record goes: one JSON file per package, rewritten on every run. */
export const SKIPPED_DIR = join(new URL('..', import.meta.url).pathname, 'node_modules', '.cache', 'marcotte-skipped');

export default class SkippedTests implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        if (test.result().state === 'skipped' && test.options.mode !== 'todo') skipped.push(`${module.moduleId.slice(process.cwd().length + 1)} > ${test.fullName}`);
      }
    }
    const name = (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { name: string }).name;
    mkdirSync(SKIPPED_DIR, { recursive: true });
    writeFileSync(join(SKIPPED_DIR, `${name.replace(/[^\w.-]+/g, '_')}.json`), JSON.stringify({ name, skipped }));
  }
}
