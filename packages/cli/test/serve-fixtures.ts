// What the browser end-to-end tests share (serve.e2e.test.ts in Chromium,
// serve.firefox.e2e.test.ts in Firefox): the boxes they serve, `box serve`
// itself, and the same runs under Node to compare with.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runBox } from '@marcotte/runtime';
import { readSnapshot } from '@marcotte/vfs';
import { cliInProcess } from '../src/cli-harness.ts';

export const root = new URL('../../../', import.meta.url).pathname;
export const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;
const shots = new URL('../test-output/', import.meta.url).pathname;

/**
 * Screenshots are for a person to look at the page (no assertion reads them), and a
 * full-page one costs the browser a paint and a PNG encode: they are taken only when
 * MARCOTTE_SCREENSHOTS=1, into packages/cli/test-output/ (gitignored).
 */
const SCREENSHOTS = process.env.MARCOTTE_SCREENSHOTS === '1';

/** A full-page screenshot of `page` as test-output/<name>.png, if SCREENSHOTS. */
export async function screenshot(page: { screenshot(options: { path: string; fullPage: boolean }): Promise<unknown> }, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

let work: string;

// box-link runs in the test's process (cli-harness.ts): these are fixtures,
// not tests of box-link, and a spawn each cost a Node start and a bundle load.
async function link(name: string, args: string[]): Promise<string> {
  const out = join(work, `${name}.box.wasm`);
  const r = await cliInProcess('box-link', [...args.slice(0, -1), '-o', out, args.at(-1)!]);
  if (r.status !== 0) throw new Error(`box-link ${name}: ${r.stderr}`);
  return out;
}

/** Links the served boxes into a fresh scratch directory; name -> path, in serving order. */
export async function linkBoxes(): Promise<Record<string, string>> {
  work = mkdtempSync(join(tmpdir(), 'box-serve-'));
  if (SCREENSHOTS) mkdirSync(shots, { recursive: true });
  return {
    hello: await link('hello', ['--env', 'GREETING=Bonjour', '--env', 'HELLO_DIR=/', '--image', join(root, 'examples/hello/data'), join(root, 'examples/hello/hello.wasm')]),
    fsdemo: await link('fsdemo', ['--fs', '--portable', join(root, 'examples/playground/fsdemo.wasm')]),
    trap: await link('trap', [join(root, 'conformance/programs/trap.wasm')]),
    determinism: await link('determinism', ['--fs', '--portable', '--clock', 'fixed:2000-01-01T00:00:00Z', '--random', 'seed:42', join(root, 'conformance/programs/determinism.wasm')]),
    crlf: await link('crlf', ['--portable', join(root, 'conformance/programs/crlf.wasm')]),
    state: await link('state', ['--fs', '--portable', join(root, 'conformance/programs/append_state.wasm')]),
  };
}

export function removeScratch(): void {
  if (work) rmSync(work, { recursive: true, force: true });
}

/** `box serve --port 0` with the boxes; resolves with the server and its URL. */
export async function serve(boxes: Record<string, string>): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [bin('box'), 'serve', '--port', '0', ...Object.values(boxes)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    server.once('exit', (code) => reject(new Error(`box serve exited with ${code}`)));
  });
  return { server, url };
}

/** The box's stdout under Node (node:wasi), with `input` as its stdin. */
export async function nodeStdout(box: string, input = ''): Promise<string> {
  writeFileSync(join(work, 'in'), input);
  const stdin = openSync(join(work, 'in'), 'r');
  const stdout = openSync(join(work, 'out'), 'w');
  try {
    const { exitCode } = await runBox(readFileSync(box), { stdin, stdout });
    expect(exitCode).toBe(0);
  } finally {
    closeSync(stdin);
    closeSync(stdout);
  }
  return readFileSync(join(work, 'out'), 'utf8');
}

/** A run under Node (runBox, node:wasi): how it ended, its output, the files it left. */
export async function nodeRun(box: string, args: string[], env: Record<string, string>) {
  const stdout = openSync(join(work, 'out'), 'w');
  const stderr = openSync(join(work, 'err'), 'w');
  let ending: string;
  let snapshot: Uint8Array | undefined;
  try {
    const r = await runBox(readFileSync(box), { args, env, stdin: openSync('/dev/null', 'r'), stdout, stderr, snapshot: true });
    ending = `exit ${r.exitCode}`;
    snapshot = r.snapshot;
  } catch (e) {
    ending = (e as Error).name;
    snapshot = (e as { snapshot?: Uint8Array }).snapshot;
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
  return {
    ending,
    stdout: readFileSync(join(work, 'out'), 'utf8'),
    stderr: readFileSync(join(work, 'err'), 'utf8'),
    files: snapshot ? readSnapshot(snapshot).map((e) => e.path).sort() : [],
  };
}

/** The playground page, under the server's Content-Security-Policy unless `harness` needs inline scripts of its own. */

/** The runBox cases both browsers compare with Node: the page's JS API, in static and in dynamic mode. */
export const RUN_CASES: Array<{ box: string; args: string[]; env: Record<string, string>; ending: string; files: number }> = [
  { box: 'determinism', args: [], env: {}, ending: 'exit 0', files: 2 },
  { box: 'crlf', args: ['a b', 'ü'], env: { GREETING: 'hi', EXIT: '3' }, ending: 'exit 3', files: 0 },
  { box: 'state', args: ['5'], env: {}, ending: 'exit 5', files: 2 },
  { box: 'state', args: ['6', 'trap'], env: {}, ending: 'TrapError', files: 2 },
];

/**
 * Evaluated in the page (as a string: vitest would rewrite a dynamic import
 * written in a test function): loads dist/runtime.js as a page script would,
 * from the server's own origin, so the page's CSP allows it.
 */
export const LOAD_RUNTIME = "import('/runtime.js').then((api) => { window.marcotte = api; })";

/** Runs in the page: the box at `url` through the runtime's runBox, ended and captured as nodeRun reports it. */
export async function runInPage({ url, args, env, mode }: { url: string; args: string[]; env: Record<string, string>; mode: 'static' | 'dynamic' }) {
  const api = (window as unknown as { marcotte: typeof import('@marcotte/web') }).marcotte;
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const out = new TextDecoder();
  const err = new TextDecoder();
  let stdout = '';
  let stderr = '';
  const files = (snapshot?: Uint8Array) => (snapshot ? api.snapshotEntries(snapshot).map((e) => e.path).sort() : []);
  try {
    const r = await api.runBox(bytes, {
      args, env, mode,
      onStdout: (b: Uint8Array) => (stdout += out.decode(b, { stream: true })),
      onStderr: (b: Uint8Array) => (stderr += err.decode(b, { stream: true })),
    });
    return { ending: `exit ${r.exitCode}`, stdout, stderr, files: files(r.snapshot) };
  } catch (e) {
    return { ending: (e as Error).name, stdout, stderr, files: files((e as { snapshot?: Uint8Array }).snapshot) };
  }
}

/**
 * The one tab a test file's browser tests share. open() navigates it to the playground afresh
 * (`path`, resolved against it, may add a query the page ignores or name another host): a new document, so nothing of the test before
 * survives but the HTTP cache and the engine's cache of compiled Wasm. A new page per test
 * cost far more: in Chromium each one is a new browser context and two or three new renderer
 * processes (~2 s of CPU each on a 2-core CI machine; a navigation of the same tab ~0.3 s).
 * runtime() is the playground with dist/runtime.js loaded, for the runBox cases: loaded once
 * and kept until an open() navigates away. `P` is Playwright's or Puppeteer's page.
 */
export function sharedTab<P extends { goto(url: string): Promise<unknown>; waitForSelector(selector: string): Promise<unknown>; evaluate(script: string): Promise<unknown> }>(newTab: () => Promise<P>, playground: () => string) {
  let tab: Promise<P> | undefined;
  let runtimeLoaded = false;
  const open = async (path = ''): Promise<P> => {
    const page = await (tab ??= newTab());
    runtimeLoaded = false;
    await page.goto(new URL(path, playground()).href);
    await page.waitForSelector('body[data-ready]');
    return page;
  };
  return {
    open,
    async runtime(): Promise<P> {
      if (runtimeLoaded) return tab!;
      const page = await open();
      await page.evaluate(LOAD_RUNTIME);
      runtimeLoaded = true;
      return page;
    },
  };
}
