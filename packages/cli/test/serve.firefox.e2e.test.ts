// End to end in headless Firefox (Debian's firefox-esr, driven by
// puppeteer-core over WebDriver BiDi): the playground runs the hello box in
// static mode with the same stdout as Node, and the runtime's runBox, called
// from the page, ends each box as runBox on Node does, with the same bytes
// out and the same files left, in static and in dynamic mode.
//
// Needs firefox-esr (.ci/run installs it). Outside CI a machine without it
// skips these tests; in CI a missing browser fails them.

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { firefoxProfile } from './firefox-startup-cache.ts';
import { linkBoxes, nodeRun, nodeStdout, removeScratch, RUN_CASES, runInPage, screenshot, serve, sharedTab } from './serve-fixtures.ts';

const FIREFOX = '/usr/bin/firefox-esr';
const haveBrowser = existsSync(FIREFOX);
if (!haveBrowser && process.env.CI) throw new Error(`${FIREFOX} is missing: .ci/run installs it (apt-get install firefox-esr)`);

let server: ChildProcess;
let url: string;
let browser: Browser;
let boxes: Record<string, string> = {};
let profile: ReturnType<typeof firefoxProfile> | undefined;

/** The tab the tests share (serve-fixtures.ts says why), `open()` loading the playground afresh. */
const tab = sharedTab(async () => {
  const page = await browser.newPage();
  // Generous: a loaded 2-core CI machine; nothing here measures time.
  page.setDefaultTimeout(90_000);
  return page;
}, () => url);

const text = (page: Page, selector: string) => page.$eval(selector, (e) => e.textContent ?? '');

describe.skipIf(!haveBrowser)('box serve + the playground in headless Firefox', () => {
  beforeAll(async () => {
    boxes = await linkBoxes();
    ({ server, url } = await serve(boxes));
    const puppeteer = (await import('puppeteer-core')).default;
    profile = firefoxProfile(FIREFOX);
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profile.dir });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    profile?.done();
    if (server && server.exitCode === null) server.kill('SIGKILL');
    removeScratch();
  });

  it('runs the hello box in static mode: the same stdout as under Node', { timeout: 180_000 }, async () => {
    const page = await tab.open();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.select('#examples', (await page.$$eval('#examples option', (os) => os.find((o) => o.textContent === 'hello.box.wasm')?.getAttribute('value') ?? ''))!);
    await page.waitForFunction(() => document.querySelector('#box-name')!.textContent === 'hello.box.wasm' && !(document.querySelector('#run') as HTMLButtonElement).disabled);
    await page.select('#mode', 'static');
    await page.click('#run');
    await page.waitForSelector('body[data-run=done]');
    expect(await text(page, '#status')).toContain('exited with code 0 (static mode)');
    expect(await text(page, '#stdout')).toBe(await nodeStdout(boxes.hello!));
    await screenshot(page, 'firefox-hello');
  });

  for (const { box, args, env, ending } of RUN_CASES) {
    it(`runBox in the page and on Node agree: ${box} ${JSON.stringify(args)}`, { timeout: 180_000 }, async () => {
      const node = await nodeRun(boxes[box]!, args, env);
      expect(node.ending).toBe(ending);
      const page = await tab.runtime();
      for (const mode of ['static', 'dynamic'] as const) {
        const web = await page.evaluate(runInPage, { url: new URL(`boxes/${Object.keys(boxes).indexOf(box)}/${box}.box.wasm`, url).href, args, env, mode });
        expect(web, mode).toEqual(node);
      }
    });
  }
});
