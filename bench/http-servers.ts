// One server of the HTTP benchmark, in its own process (http.bench.ts starts
// it): `box BOX PORT` serves the boxed C server through box run -p's bridge;
// `node PORT` is a plain node:http server answering the same responses from
// memory (the upper bound). Prints "listening" once it accepts connections.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { runBoxIsolated } from '@marcotte/runtime';

const [mode, ...rest] = process.argv.slice(2);

if (mode === 'box') {
  const [path, port] = rest;
  void runBoxIsolated(readFileSync(path!), {
    publish: [{ host: Number(port), box: 8080, address: '127.0.0.1' }],
    onListening: () => console.log('listening'),
    handleSignals: true,
  }).catch(() => process.exit(0));
} else {
  const [port] = rest;
  const index = readFileSync(new URL('../examples/http-server/www/index.html', import.meta.url));
  let served = 0;
  createServer((req, res) => {
    served++;
    if (req.url === '/api/info') {
      const body = JSON.stringify({ server: 'marcotte-http', requests: served, connections: 0, memory: 0 });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': index.length });
      res.end(index);
    }
  }).listen(Number(port), '127.0.0.1', () => console.log('listening'));
}
