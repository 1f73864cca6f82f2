// A fresh Firefox profile for each run of serve.firefox.e2e.test.ts, started with the
// startup cache of the run before. Puppeteer's own fresh profile made Firefox compile its
// browser chrome's JavaScript from scratch at every launch: ~1.5-3 s of the main process's CPU
// on a 2-core CI machine, more than the tests' pages cost. The profile is still new each run
// (no cookies, HTTP cache, storage or prefs survive); only startupCache/ and compatibility.ini
// (which Firefox checks before trusting the cache) are kept, in node_modules/.cache, under a
// key that changes with the Firefox binary so an upgrade or a downgrade starts cold.

import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEPT = ['startupCache', 'compatibility.ini'];

/** A new profile directory seeded from the kept cache; `done()` (after Firefox exits) keeps its cache if none was kept, and removes it. */
export function firefoxProfile(executable: string): { dir: string; done(): void } {
  const binary = realpathSync(executable);
  const cache = new URL(`../node_modules/.cache/firefox-startup-${Math.trunc(statSync(binary).mtimeMs)}/`, import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'box-serve-firefox-'));
  const seeded = existsSync(cache);
  if (seeded) for (const name of KEPT) if (existsSync(join(cache, name))) cpSync(join(cache, name), join(dir, name), { recursive: true });
  return {
    dir,
    done(): void {
      try {
        if (!seeded && KEPT.every((name) => existsSync(join(dir, name)))) {
          // Written beside it and renamed into place: another run seeding it at the same time cannot leave half a cache.
          const partial = `${cache.replace(/\/$/, '')}.${process.pid}`;
          mkdirSync(partial, { recursive: true });
          for (const name of KEPT) cpSync(join(dir, name), join(partial, name), { recursive: true });
          try {
            renameSync(partial, cache);
          } catch {
            rmSync(partial, { recursive: true, force: true });
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
