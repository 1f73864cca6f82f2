// A vitest reporter that records which tests a package's run skipped, so
// that the test command can name them at the end (scripts/test-summary.mjs):
// a skipped browser test must not read as a pass.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** Where each package's record goes: one JSON file per package, rewritten on every run. */
export const SKIPPED_DIR = join(new URL('..', import.meta.url).pathname, 'node_modules', '.cache', 'marcotte-skipped');

export default class SkippedTests implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    // One run may hold several packages (the root's projects): each module is recorded under
    // the package its project's root is, whatever directory vitest was started from.
    const byPackage = new Map<string, string[]>();
    for (const module of modules) {
      const root = module.project.config.root;
      const skipped = byPackage.get(root) ?? [];
      byPackage.set(root, skipped);
      for (const test of module.children.allTests()) {
        if (test.result().state === 'skipped' && test.options.mode !== 'todo') skipped.push(`${relative(root, module.moduleId)} > ${test.fullName}`);
      }
    }
    mkdirSync(SKIPPED_DIR, { recursive: true });
    for (const [root, skipped] of byPackage) {
      const name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name;
      writeFileSync(join(SKIPPED_DIR, `${name.replace(/[^\w.-]+/g, '_')}.json`), JSON.stringify({ name, skipped }));
    }
  }
}
