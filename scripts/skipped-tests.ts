// A vitest reporter that records which tests a package's run skipped, so
// that the test command can name them at the end (scripts/test-summary.mjs):
// a skipped browser test must not read as a pass.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** Where each package's record goes: one JSON file per package, rewritten on every run. */
export const SKIPPED_DIR = join(new URL('..', import.meta.url).pathname, 'node_modules', '.cache', 'marcotte-skipped');

/** The directory of the package a test file belongs to: the nearest package.json above it. */
function packageRoot(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export default class SkippedTests implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    // One run may hold several packages (the root's projects, and a project may hold several
    // packages: scripts/vitest-projects.ts): each file is recorded under its own package.
    const byPackage = new Map<string, string[]>();
    for (const module of modules) {
      const root = packageRoot(module.moduleId);
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
