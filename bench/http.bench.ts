// examples/http-server boxed (--fs --net, box run -p's bridge) beside a plain
// node:http server answering the same responses: requests per second and p99
// latency, measured with autocannon's CLI in its own process, 50 keep-alive
// connections, loopback only, both servers in the same run.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { net } from '@marcotte/net';
import { imageFromDirectory, vfs } from '@marcotte/vfs';

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const PATHS = ['/', '/api/info'];

const program = readFileSync(new URL('../examples/http-server/server.wasm', import.meta.url));
const image = imageFromDirectory(new URL('../examples/http-server/www', import.meta.url).pathname);
const box = link(program, { capabilities: [kernel, vfs, net], entrypoint: 'server.wasm', args: [], env: [], image, listen: [8080] }).bytes;
const dir = mkdtempSync(join(tmpdir(), 'http-bench-'));
const boxPath = join(dir, 'server.box.wasm');
writeFileSync(boxPath, box);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--no-warnings', new URL('./http-servers.ts', import.meta.url).pathname, ...args, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

interface Result { rps: number; p99: number; errors: number; non2xx: number }

function autocannon(url: string, seconds: number): Promise<Result> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '-c', String(CONNECTIONS), '-d', String(seconds), '-j', url], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const r = JSON.parse(out) as { requests: { average: number }; latency: { p99: number }; errors: number; non2xx: number };
      resolve({ rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx });
    });
  });
}

async function measure(args: string[]): Promise<Record<string, Result>> {
  const { child, url } = await start(args);
  try {
    await autocannon(`${url}/`, 2); // warm-up: JIT, allocator, connection pool
    const out: Record<string, Result> = {};
    for (const path of PATHS) out[path] = await autocannon(`${url}${path}`, SECONDS);
    return out;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const plain = await measure(['node']);
const boxed = await measure(['box', boxPath]);
rmSync(dir, { recursive: true, force: true });

console.log(`HTTP: ${CONNECTIONS} keep-alive connections, ${SECONDS} s per row, autocannon in its own process, loopback`);
console.log('| path | plain node:http rps | p99 ms | boxed C server rps | p99 ms | box / node |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const path of PATHS) {
  const p = plain[path]!;
  const b = boxed[path]!;
  console.log(`| ${path} | ${p.rps.toFixed(0)} | ${p.p99} | ${b.rps.toFixed(0)} | ${b.p99} | ${(b.rps / p.rps).toFixed(2)} |`);
  if (p.errors || b.errors || p.non2xx || b.non2xx) console.log(`  errors: node ${p.errors}/${p.non2xx} non-2xx, box ${b.errors}/${b.non2xx} non-2xx`);
}
