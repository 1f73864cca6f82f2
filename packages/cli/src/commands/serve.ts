// box serve: the playground page (packages/web) on loopback, with the boxes
// given on the command line as its examples. Every response carries the
// cross-origin isolation headers that make SharedArrayBuffer available, so
// a box's blocking stdin read can wait in its worker.

import { createServer, type ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { assets } from '@marcotte/web/assets';
import { parseArgs, UsageError, value, flag, type OptionSpec } from '../args.ts';
import { readInput } from '../io.ts';

export const SERVE_HELP = `Usage: box serve [--port N] [BOX.box.wasm...]

Serves the playground on http://127.0.0.1:N/ (loopback only): pick one of the
BOX files or drop your own, run it in the browser, type into its stdin and
download its filesystem as a tar. Ctrl-C stops the server.

Options:
  --port N     the port (default 8080; 0 picks a free one)
  -h, --help   show this help`;

const SPECS: OptionSpec[] = [
  { name: 'port', value: true },
  { name: 'help', short: 'h' },
];

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  // Only this page's own scripts run (and compile Wasm); no other site may frame it.
  // Inline styles stay allowed: the terminal (xterm.js) themes itself with a <style> element.
  'Content-Security-Policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    + "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
    + "form-action 'none'; frame-ancestors 'none'",
};

/**
 * The names this server answers to. A page on another site can resolve its
 * own host name to 127.0.0.1 (DNS rebinding) and then read same-origin
 * responses; it cannot make the browser send one of these Host headers.
 */
function allowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

/** The request's path, or undefined when it is not valid percent-encoding (`GET /%`). */
function requestPath(url: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(url ?? '/', 'http://localhost').pathname);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, head = false): void {
  res.writeHead(status, { ...ISOLATION, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

export async function serveCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('box serve', argv, SPECS, Infinity);
  if (flag(args, 'help')) {
    console.log(SERVE_HELP);
    return 0;
  }
  const portText = value(args, 'port') ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`box serve: --port expects a number from 0 to 65535, got ${JSON.stringify(portText)}`);
  const boxes = await Promise.all([...args.positionals, ...args.rest].map(async (path, i) => {
    const name = basename(path);
    return { name, url: `boxes/${i}/${encodeURIComponent(name)}`, bytes: await readInput('box serve', path) };
  }));
  const examples = JSON.stringify(boxes.map(({ name, url }) => ({ name, url })));

  // A Map, not the assets object: "/__proto__" or "/constructor" must not find anything.
  const files = new Map(Object.entries(assets));
  let actual = port;
  const server = createServer((req, res) => {
    const head = req.method === 'HEAD';
    if (!allowedHost(req.headers.host, actual)) return send(res, 421, 'text/plain', 'this server answers only to 127.0.0.1 and localhost\n', head);
    if (req.method !== 'GET' && !head) return send(res, 405, 'text/plain', 'only GET and HEAD\n');
    const path = requestPath(req.url);
    if (path === undefined) return send(res, 400, 'text/plain', 'malformed URL\n', head);
    if (path === '/examples.json') return send(res, 200, 'application/json', examples, head);
    const box = boxes.find((b) => `/${decodeURIComponent(b.url)}` === path);
    if (box) return send(res, 200, 'application/wasm', box.bytes, head);
    const asset = files.get(path === '/' ? 'index.html' : path.slice(1));
    if (asset) return send(res, 200, asset.type, asset.body, head);
    send(res, 404, 'text/plain', 'not found\n', head);
  });

  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? `port ${port} is in use (--port 0 picks a free one)` : e.message;
      console.error(`box serve: ${why}`);
      resolve(1);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      actual = typeof address === 'object' && address ? address.port : port;
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        server.close(() => resolve(0));
        server.closeAllConnections();
      };
      // Before the line: whoever reads the URL may stop the server at once.
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      console.log(`box serve: playground at http://127.0.0.1:${actual}/ (Ctrl-C stops)`);
    });
  });
}
