// The built browser assets (dist/, from build.mjs): nothing of Node in them,
// and the runtime (page API + worker) small enough to ship with any page.

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// Loaded at run time: typecheck runs before this package's build (turbo), when dist/ may not exist yet.
const assetsUrl = new URL('../dist/assets.js', import.meta.url).href;
const { assets } = (await import(assetsUrl)) as { assets: Record<string, { type: string; body: string }> };

const dist = (name: string) => readFileSync(new URL(`../dist/${name}`, import.meta.url), 'utf8');
const RUNTIME = ['runtime.js', 'worker.js'];
const LIMIT = 30 * 1024;

describe('browser bundle', () => {
  it.each([...RUNTIME, 'playground.js'])('%s imports no Node built-ins and needs no require', (name) => {
    const code = dist(name);
    expect(code).not.toMatch(/\bfrom\s*["'](node:)?(fs|path|os|url|module|worker_threads|wasi|child_process|zlib|crypto)["']/);
    expect(code).not.toMatch(/["']node:[a-z_/]+["']/);
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toMatch(/\bprocess\.(env|argv|exit)/);
    expect(code).not.toContain('is not available in a browser');
  });

  it(`the runtime (${RUNTIME.join(' + ')}) is under 30 KiB gzipped`, () => {
    const sizes = RUNTIME.map((name) => gzipSync(dist(name), { level: 9 }).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`browser runtime: ${RUNTIME.map((n, i) => `${n} ${sizes[i]} B`).join(', ')}; total ${total} B gzipped`);
    expect(total).toBeLessThan(LIMIT);
  });

  it('assets.js carries every file the playground loads', () => {
    expect(Object.keys(assets).sort()).toEqual(['index.html', 'playground.css', 'playground.js', 'runtime.js', 'third-party-licenses.txt', 'worker.js', 'xterm.css']);
    const html = assets['index.html']!.body;
    // local references only (the favicon is a data: URL)
    for (const ref of html.matchAll(/(?:src|href)="([^":]+)"/g)) expect(assets[ref[1]!]).toBeDefined();
    expect(assets['playground.js']!.body).toContain('./runtime.js');
  });
});
