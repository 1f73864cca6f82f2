// The vitest projects of the test command's one run (the root's vitest.config.ts): the packages
// whose vitest.config.ts give the same test options, their include patterns aside, become one
// project; every other package is a project of its own, from its own config file.
//
// Why: vitest runs each project's files in workers of that project only, and closes a worker
// whose next file is another project's. With one project per package, the run's second half
// (the small packages, one after another) spent about as long starting workers as running
// tests: each start is a Node process, vitest's runtime, the package's imports. Files that
// share a project share a worker, as the files of one package always did (isolate: false in
// vitest.shared.ts): module state, env and signal handlers are shared in a worker whether its
// files come from one package or several, so options that differ (a setup file, execArgv,
// isolation, a package's own projects) keep a package apart.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configDefaults, type TestProjectConfiguration, type ViteUserConfig } from 'vitest/config';

const REPO = new URL('..', import.meta.url).pathname;

/** The package directories `patterns` name (a `*` as the last part: every directory in it) that have a vitest.config.ts. */
function packageDirs(patterns: string[]): string[] {
  return patterns.flatMap((pattern) => {
    const dirs = pattern.endsWith('/*') ? readdirSync(join(REPO, pattern.slice(0, -2))).map((d) => `${pattern.slice(0, -1)}${d}`) : [pattern];
    return dirs.filter((dir) => existsSync(join(REPO, dir, 'vitest.config.ts')));
  }).sort();
}

/**
 * The options that decide how a package's files run, as a string two packages share when
 * theirs are the same; undefined when they cannot be compared (a function, a class, a value
 * given relative to the package's own directory) and the package must stay a project of its own.
 */
function runOptionsKey(config: ViteUserConfig): string | undefined {
  const { include: _, name: __, reporters: ___, ...test } = config.test ?? {};
  const { test: ____, ...vite } = config;
  if (Object.keys(vite).length || test.projects || test.setupFiles || test.globalSetup) return undefined;
  let comparable = true;
  const key = JSON.stringify(test, (_key, value: unknown) => {
    if (value instanceof RegExp) return `RegExp ${value}`;
    if (typeof value === 'function' || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype)) comparable = false;
    return value;
  });
  return comparable ? key : undefined;
}

/** The root run's projects for the packages `patterns` name (see the top of this file). */
export async function projectsOf(patterns: string[]): Promise<TestProjectConfiguration[]> {
  const groups = new Map<string, { config: ViteUserConfig; dirs: string[]; include: string[] }>();
  const projects: TestProjectConfiguration[] = [];
  for (const dir of packageDirs(patterns)) {
    const file = join(REPO, dir, 'vitest.config.ts');
    const config = (await import(pathToFileURL(file).href)).default as ViteUserConfig;
    const key = runOptionsKey(config);
    if (key === undefined) {
      projects.push(file);
      continue;
    }
    const group = groups.get(key) ?? { config, dirs: [], include: [] };
    groups.set(key, group);
    group.dirs.push(dir);
    group.include.push(...(config.test?.include ?? configDefaults.include).map((pattern) => `${dir}/${pattern}`));
  }
  for (const { config, dirs, include } of groups.values()) {
    if (dirs.length === 1) {
      projects.push(join(REPO, dirs[0]!, 'vitest.config.ts'));
      continue;
    }
    const { reporters: _, ...test } = config.test!;
    projects.push({
      test: {
        ...test,
        name: dirs.map((dir) => dir.split('/').at(-1)).join(' '),
        include,
      },
    });
  }
  return projects;
}
