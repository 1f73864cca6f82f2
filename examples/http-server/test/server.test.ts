// The boxed server answering real TCP clients through box run -p's bridge.
// No timed assertions: every limit here is a generous timeout.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkServer, serve, type Served } from './box.ts';

const INDEX = readFileSync(new URL('../www/index.html', import.meta.url), 'utf8');

let server: Served;

beforeAll(async () => {
  server = await serve(linkServer());
}, 60_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

async function info(): Promise<{ requests: number; connections: number; memory: number }> {
  const res = await fetch(`${server.url}/api/info`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json');
  return (await res.json()) as { requests: number; connections: number; memory: number };
}

/** Sends raw bytes, then closes the connection at once (a client that gives up mid-request). */
function abandon(bytes: string, reset: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => {
      socket.write(bytes, () => {
        if (reset) socket.resetAndDestroy();
        else socket.end();
      });
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
}

describe('examples/http-server boxed with --fs --net', () => {
  it('serves the static file from the box filesystem, JSON, echo and 404, concurrently', async () => {
    const requests = Array.from({ length: 120 }, async (_, i) => {
      switch (i % 4) {
        case 0: {
          const res = await fetch(`${server.url}/`);
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
          expect(await res.text()).toBe(INDEX);
          break;
        }
        case 1: {
          const body = (await info()) as Record<string, unknown>;
          expect(body.server).toBe('marcotte-http');
          break;
        }
        case 2: {
          const payload = `payload ${i} `.repeat(i + 1);
          const res = await fetch(`${server.url}/api/echo`, { method: 'POST', body: payload });
          expect(res.status).toBe(200);
          expect(await res.text()).toBe(payload);
          break;
        }
        default: {
          const res = await fetch(`${server.url}/missing-${i}.html`);
          expect(res.status).toBe(404);
          expect(await res.text()).toBe('not found\n');
        }
      }
    });
    await Promise.all(requests);
  }, 60_000);

  it('keeps serving after clients disconnect mid-request or reset the connection', async () => {
    const before = await info();
    await Promise.all([
      abandon('GET / HTTP/1.1\r\nHo', false),
      abandon('GET / HTTP/1.1\r\nHo', true),
      abandon('POST /api/echo HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part', true),
      abandon('GET / HTTP/1.1\r\nHost: x\r\n\r\n', true),
      abandon('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', false),
    ]);
    const res = await fetch(`${server.url}/`);
    expect(await res.text()).toBe(INDEX);
    const after = await info();
    expect(after.requests).toBeGreaterThan(before.requests);
  }, 60_000);

  it('closes after Connection: close and answers HTTP/1.0', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => socket.write('GET /api/info HTTP/1.0\r\n\r\n'));
      socket.setEncoding('utf8');
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply).toContain('Connection: close\r\n');
  }, 60_000);

  it('serves 20,000 requests over 50 keep-alive connections without errors, with flat memory (autocannon)', async () => {
    // Warm up to the steady state first: the allocator grows once to hold 50 connections.
    await runAutocannon(2_000);
    const warm = await info();
    const result = await runAutocannon(20_000);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBe(20_000);
    const after = await info();
    expect(after.memory).toBe(warm.memory);
    expect(after.requests - warm.requests).toBeGreaterThanOrEqual(20_000);
  }, 180_000);
});

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

/** autocannon's CLI in its own process: a bounded run (-a requests) over 50 keep-alive connections. */
function runAutocannon(amount: number): Promise<AutocannonResult> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '-c', '50', '-a', String(amount), '-j', '-t', '30', `${server.url}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`autocannon exited with ${code}`));
      else resolve(JSON.parse(out) as AutocannonResult);
    });
  });
}

describe('the same box in dynamic mode (parts wired in JS)', () => {
  it('answers exactly as in static mode', async () => {
    const dynamic = await serve(linkServer({ portable: true }), 'dynamic');
    try {
      for (const path of ['/', '/missing.html']) {
        const [a, b] = await Promise.all([fetch(`${server.url}${path}`), fetch(`${dynamic.url}${path}`)]);
        expect(b.status).toBe(a.status);
        expect(b.headers.get('content-type')).toBe(a.headers.get('content-type'));
        expect(await b.text()).toBe(await a.text());
      }
      const echo = await fetch(`${dynamic.url}/api/echo`, { method: 'POST', body: 'dynamic' });
      expect(await echo.text()).toBe('dynamic');
    } finally {
      await dynamic.stop();
    }
  }, 60_000);
});
