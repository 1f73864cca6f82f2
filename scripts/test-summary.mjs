// Ends the test command: names every test a package's run skipped (recorded
// by scripts/skipped-tests.ts), so that a machine without Chromium or the
// system Node 20 sees what it did not check instead of a bare "successful".

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(new URL('..', import.meta.url).pathname, 'node_modules', '.cache', 'marcotte-skipped');
let records = [];
try {
  records = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
} catch {
  // no package recorded anything
}
const skipped = records.flatMap((r) => r.skipped.map((t) => `${r.name}: ${t}`));
if (skipped.length === 0) {
  console.log('tests: none skipped');
} else {
  console.log(`tests: ${skipped.length} SKIPPED (not run on this machine; see the README's "Tests that need a browser"):`);
  for (const t of skipped) console.log(`  - ${t}`);
}
