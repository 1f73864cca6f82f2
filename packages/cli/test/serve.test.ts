// box serve without a browser: usage errors, a port in use, what it serves.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';

const bin = new URL('../bin/box.js', import.meta.url).pathname;
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) =>
  existsSync(p) && spawnSync(p, ['-p', 'WebAssembly.validate(new Uint8Array([0,97,115,109,1,0,0,0,5,5,2,0,0,0,0]))'], { encoding: 'utf8' }).stdout.trim() === 'false');
const box = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('box serve', () => {
  it('has --help', () => {
    const r = box(['serve', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: box serve \[--port N\] \[BOX\.box\.wasm\.\.\.\]/);
    expect(box(['--help']).stdout).toMatch(/^ {2}serve /m);
  });

  it.each([
    [['--port', 'http'], /^box serve: --port expects a number from 0 to 65535, got "http"$/],
    [['--port', '70000'], /--port expects a number/],
    [['--bogus'], /unknown option --bogus/],
    [['/no/such.box.wasm'], /^box serve: cannot read \/no\/such\.box\.wasm: no such file$/],
  ])('refuses %j in one line with exit 2', (args, message) => {
    const r = box(['serve', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it('says a port is in use in one line and exits 1', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = box(['serve', '--port', String(port)]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`box serve: port ${port} is in use (--port 0 picks a free one)\n`);
    } finally {
      taken.close();
    }
  });

  it('serves on loopback only, with the isolation headers on every response, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('\n')) resolve(/http:\/\/127\.0\.0\.1:\d+\//.exec(out)![0]);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    for (const path of ['', 'runtime.js', 'worker.js', 'examples.json', 'missing']) {
      const r = await fetch(new URL(path, url));
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(r.status).toBe(path === 'missing' ? 404 : 200);
    }
    expect(await (await fetch(new URL('examples.json', url))).json()).toEqual([]);
    expect((await fetch(new URL('worker.js', url))).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('survives requests any web page can send, answers only to its own host names, and forbids framing', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('\n')) resolve(Number(/127\.0\.0\.1:(\d+)\//.exec(out)![1]));
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const get = (path: string, host = `127.0.0.1:${port}`) => new Promise<{ status: number; csp: string | undefined }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode!, csp: res.headers['content-security-policy'] as string | undefined }));
      }).once('error', reject).end();
    });
    try {
      // Each of these once ended the server with an uncaught exception or served a prototype.
      for (const path of ['/%', '/%E0%A4%A', '/__proto__', '/constructor', '/hasOwnProperty', '/toString']) {
        expect((await get(path)).status, path).toBeGreaterThanOrEqual(400);
      }
      // DNS rebinding: a page at evil.example resolved to 127.0.0.1 sends its own name.
      expect((await get('/', `evil.example:${port}`)).status).toBe(421);
      expect((await get('/examples.json', 'evil.example')).status).toBe(421);
      expect((await get('/', `localhost:${port}`)).status).toBe(200);
      const page = await get('/');
      expect(page.status).toBe(200);
      expect(page.csp).toMatch(/frame-ancestors 'none'/);
      expect(page.csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
      expect(child.exitCode).toBeNull();
    } finally {
      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    }
    expect(stderr).toBe('');
  });

  // The browser runs the boxes, so the serving Node needs no multi-memory (the system Node here is 20).
  it.skipIf(!oldNode)('serves from a Node without multi-memory', async () => {
    const child = spawn(oldNode!, [bin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('\n')) resolve(out);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    expect(line).toMatch(/^box serve: playground at http:\/\/127\.0\.0\.1:\d+\//);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });
});
