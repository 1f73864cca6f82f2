// End to end in headless Chromium (serve.firefox.e2e.test.ts runs the cross-engine part in Firefox): `box serve` serves the playground and two
// boxes; the page runs them (static and dynamic mode), a line typed into the
// terminal reaches the box's stdin, the downloaded tar holds the box's
// filesystem, and every stdout is byte for byte what the same box prints
// under Node. With MARCOTTE_SCREENSHOTS=1, screenshots land in packages/cli/test-output/ (gitignored).
//
// Needs Debian's chromium (.ci/run installs it). Outside CI a machine
// without it skips these tests; in CI a missing browser fails them.

import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { imageFromTar } from '@marcotte/vfs';
import { assets } from '@marcotte/web/assets';
import { linkBoxes, nodeRun, nodeStdout, removeScratch, root, RUN_CASES, runInPage, screenshot, serve, sharedTab } from './serve-fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)`);

const TYPED = 'typed in the browser';

let server: ChildProcess;
let url: string;
let browser: Browser;
let boxes: Record<string, string> = {};

/**
 * The tab the tests share (serve-fixtures.ts says why), `open()` loading the playground afresh
 * under the server's Content-Security-Policy. With `?no-multi-memory` in the URL the init script
 * plays an engine without multi-memory as the page sees it: the probe the page validates, a
 * 15-byte module with two memories, fails.
 */
const tab = sharedTab(async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Generous: a loaded 2-core CI machine; nothing here measures time.
  page.setDefaultTimeout(90_000);
  await page.addInitScript(() => {
    if (!new URLSearchParams(location.search).has('no-multi-memory')) return;
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => (new Uint8Array(bytes as ArrayBuffer).length === 15 ? false : validate(bytes));
  });
  return page;
}, () => url);

async function pick(page: Page, name: string, mode = ''): Promise<void> {
  await page.selectOption('#examples', { label: `${name}.box.wasm` });
  // Loading is a fetch: wait until this box, not the one before, is the one to run.
  await page.waitForFunction((file) => document.querySelector('#box-name')!.textContent === file && !(document.querySelector('#run') as HTMLButtonElement).disabled, `${name}.box.wasm`);
  await page.selectOption('#mode', mode);
}

/** Waits for the run the page started to end (the playground marks it on body[data-run]). */
const finished = (page: Page) => page.waitForSelector('body[data-run=done]');

describe.skipIf(!haveBrowser)('box serve + the playground in headless Chromium', () => {
  beforeAll(async () => {
    boxes = await linkBoxes();
    ({ server, url } = await serve(boxes));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) server.kill('SIGKILL');
    removeScratch();
  });

  it('serves the page with the cross-origin isolation headers and the boxes as examples', { timeout: 180_000 }, async () => {
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await page.text()).toContain('Marcotte playground');
    const examples = await (await fetch(new URL('examples.json', url))).json() as Array<{ name: string; url: string }>;
    expect(examples.map((e) => e.name)).toEqual(Object.keys(boxes).map((name) => `${name}.box.wasm`));
    const box = await fetch(new URL(examples[0]!.url, url));
    expect(box.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await box.arrayBuffer())).toEqual(new Uint8Array(readFileSync(boxes.hello!)));
    expect((await fetch(new URL('nothing-here', url))).status).toBe(404);
  });

  it('runs the hello box: the same stdout as under Node, manifest shown', { timeout: 180_000 }, async () => {
    const page = await tab.open();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await pick(page, 'hello');
    const manifest = await page.textContent('#manifest');
    expect(manifest).toContain('kernel');
    expect(manifest).toContain('GREETING=Bonjour');
    expect(manifest).toMatch(/file tree\d+ files?, \d+ director/);
    expect(await page.textContent('#tree-title')).toBe('Filesystem baked into the box');
    expect(await page.textContent('#tree')).toMatch(/^\/name\.txt {2}\(\d+ bytes\)$/m);
    await page.click('#run');
    await finished(page);
    expect(await page.textContent('#status')).toContain('exited with code 0 (static mode)');
    const stdout = await page.textContent('#stdout');
    expect(stdout).toContain('Bonjour from inside a box!\n');
    expect(stdout).toContain('  name.txt (');
    expect(stdout).toBe(await nodeStdout(boxes.hello!));
    await screenshot(page, 'hello');
  });

  for (const mode of ['static', 'dynamic'] as const) {
    it(`runs the filesystem box in ${mode} mode: typed stdin echoed, the tar download holds its tree`, async () => {
      const page = await tab.open();
      await pick(page, 'fsdemo', mode);
      await page.click('#run');
      await page.waitForFunction(() => document.querySelector('#stdout')!.textContent!.includes('type lines'));
      await page.click('#terminal');
      await page.keyboard.type(TYPED);
      await page.keyboard.press('Enter');
      await page.waitForFunction((t) => document.querySelector('#stdout')!.textContent!.includes(`echo: ${t}\n`), TYPED);
      await screenshot(page, `fsdemo-${mode}-typing`);
      await page.keyboard.press('Control+D');
      await finished(page);
      expect(await page.textContent('#status')).toContain(`exited with code 0 (${mode} mode)`);
      const stdout = await page.textContent('#stdout');
      expect(stdout).toBe(await nodeStdout(boxes.fsdemo!, `${TYPED}\n`));
      expect(await page.textContent('#tree')).toContain('/project/notes/typed.txt');

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      expect(download.suggestedFilename()).toBe('fsdemo-fs.tar');
      const tar = new Uint8Array(readFileSync((await download.path())!));
      const entries = new Map(imageFromTar(tar).map((e) => [e.path, e]));
      expect(new TextDecoder().decode(entries.get('/project/notes/typed.txt')?.data)).toBe(`${TYPED}\n`);
      expect(new TextDecoder().decode(entries.get('/project/docs/log.txt')?.data)).toBe('line 1\nline 2\nline 3\n');
      expect(entries.get('/project/main')).toMatchObject({ type: 'symlink', target: 'src/main.c' });
      expect([...entries.keys()].filter((p) => p.startsWith('/project/src/lib/'))).toHaveLength(24);
      expect(entries.has('/project/tmp')).toBe(false);
      await screenshot(page, `fsdemo-${mode}`);
    }, 180_000);
  }

  it('says what is wrong, in the page: not a box, a trap, no multi-memory and not portable', async () => {
    const page = await tab.open();
    await page.setInputFiles('#file', join(root, 'examples/hello/hello.wasm'));
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.includes('not a box'));
    expect(await page.getAttribute('#status', 'class')).toContain('error');

    await pick(page, 'trap');
    await page.click('#run');
    await finished(page);
    expect(await page.textContent('#status')).toMatch(/trap\.box\.wasm: the box trapped: /);
    await screenshot(page, 'errors');

    // An engine without multi-memory, as the page sees it: a non-portable box cannot run, a portable one runs dynamic.
    const old = await tab.open('?no-multi-memory');
    await pick(old, 'hello');
    await old.click('#run');
    await old.waitForFunction(() => document.querySelector('#status')!.textContent!.includes('not portable'));
    await pick(old, 'fsdemo');
    await old.click('#run');
    await old.waitForFunction(() => document.querySelector('#stdout')!.textContent!.includes('type lines') || document.body.dataset.run === 'done');
    expect(await old.textContent('#status')).toContain('running');
    await old.click('#eof');
    await finished(old);
    expect(await old.textContent('#status')).toContain('exited with code 0 (dynamic mode)');
  }, 180_000);

  it('stops a box that waits for stdin', { timeout: 180_000 }, async () => {
    const page = await tab.open();
    await pick(page, 'fsdemo');
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#stdout')!.textContent!.includes('type lines'));
    expect(await page.isEnabled('#stop')).toBe(true);
    await page.click('#stop');
    await finished(page);
    expect(await page.textContent('#status')).toBe('fsdemo.box.wasm: stopped.');
    expect(await page.isEnabled('#run')).toBe(true);
  });

  // The JS API of dist/runtime.js, called from the page, against runBox on Node: the same bytes out, the same ending.
  for (const { box, args, env, ending, files } of RUN_CASES) {
    it(`runBox in the page and on Node agree: ${box} ${JSON.stringify(args)}`, { timeout: 180_000 }, async () => {
      const node = await nodeRun(boxes[box]!, args, env);
      expect(node).toMatchObject({ ending, stdout: expect.stringMatching(/./) });
      expect(node.files).toHaveLength(files);
      const page = await tab.runtime();
      for (const mode of ['static', 'dynamic'] as const) {
        const web = await page.evaluate(runInPage, { url: new URL(`boxes/${Object.keys(boxes).indexOf(box)}/${box}.box.wasm`, url).href, args, env, mode });
        expect(web, mode).toEqual(node);
      }
    });
  }

  it('runs a box from a plain static host too (no isolation headers: stdin is empty)', { timeout: 180_000 }, async () => {
    const plain = createServer((req, res) => {
      const asset = assets[req.url === '/' ? 'index.html' : req.url!.slice(1)];
      if (!asset) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': asset.type }).end(asset.body);
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const page = await tab.open(`http://127.0.0.1:${(plain.address() as { port: number }).port}/`);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(await page.textContent('#status')).toContain('not cross-origin isolated');
      await page.setInputFiles('#file', boxes.fsdemo!);
      await page.waitForFunction(() => !(document.querySelector('#run') as HTMLButtonElement).disabled);
      await page.click('#run');
      await finished(page);
      expect(await page.textContent('#status')).toContain('exited with code 0');
      expect(await page.textContent('#stdout')).toBe(await nodeStdout(boxes.fsdemo!, ''));
    } finally {
      plain.close();
    }
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exit = new Promise<number | null>((resolve) => server.once('exit', resolve));
    server.kill('SIGINT');
    expect(await exit).toBe(0);
  });
});
