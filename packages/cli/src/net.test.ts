// box-link --listen, box inspect's ports and box run -p, through the built CLI.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess } from './cli-harness.ts';

const root = new URL('../../../', import.meta.url).pathname;
const server = join(root, 'examples/http-server/server.wasm');
const www = join(root, 'examples/http-server/www');
const bin = (name: string) => new URL(`../bin/${name}.js`, import.meta.url).pathname;

let work: string;
let box: string;
// Linking, inspecting and refused flags in this process (cli-harness.ts); a box that serves runs spawned.
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'box-net-'));
  box = join(work, 'server.box.wasm');
  expect((await cliInProcess('box-link', ['--fs', '--image', www, '--listen', '8080', '-o', box, server])).status).toBe(0);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('net on the command line', () => {
  it('box inspect shows the ports a box listens on', async () => {
    expect((await cliInProcess('box', ['inspect', box])).stdout).toMatch(/^ports: 8080 /m);
  });

  it.each([
    [['-p', '127.0.0.1:0:9999'], /-p 127\.0\.0\.1:0:9999: the box does not listen on port 9999; it listens on 8080/],
    [['-p', '80'], /-p 80: expected \[IP:\]HOST:BOX/],
    [['-p', '1:70000'], /-p 1:70000: expected \[IP:\]HOST:BOX/],
  ])('box run %j exits 125 with one line', async (flags, message) => {
    const r = await cliInProcess('box', ['run', ...flags, box]);
    expect(r.status).toBe(125);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('box run -p serves a host port until SIGTERM, then closes it', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin('box'), 'run', '-p', `127.0.0.1:${port}:8080`, box], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let body = '';
      for (let tries = 0; !body && tries < 600; tries++) {
        body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => '');
        if (!body) await new Promise((r) => setTimeout(r, 100));
      }
      expect(body).toBe(readFileSync(join(www, 'index.html'), 'utf8'));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(143);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  }, 90_000);
});
