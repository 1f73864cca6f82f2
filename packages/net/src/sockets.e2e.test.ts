// test/sockcheck.c boxed with --listen and served through the Node host
// bridge: the socket calls' semantics end to end (program -> kernel -> net
// driver -> bridge -> real TCP client).

import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { runBoxIsolated } from '@marcotte/runtime';
import { net } from './index.ts';

const program = readFileSync(new URL('../test/sockcheck.wasm', import.meta.url));

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function readToEnd(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

describe('socket calls through the driver and the bridge', () => {
  it.each(['static', 'dynamic'] as const)('answer as on Linux (%s mode)', async (mode) => {
    const box = link(program, { capabilities: [kernel, net], entrypoint: 'sockcheck', args: [], env: [], listen: [7000], portable: true }).bytes;
    let listening!: (port: number) => void;
    const port = new Promise<number>((resolve) => (listening = resolve));
    const run = runBoxIsolated(box, { mode, publish: [{ host: 0, box: 7000, address: '127.0.0.1' }], onListening: (ports) => listening(ports[0]!), timeoutMs: 60_000 });
    const a = await open(await port);
    const report = readToEnd(a);
    a.write('hello ', () => a.write('world!'));
    const lines = (await report).trim().split('\n');
    a.end();
    expect(lines).toEqual([
      'listener.recv=ENOTCONN',
      'stdout.shutdown=ENOTSOCK',
      'stdin.recv=ENOTSOCK',
      'peek=prefix',
      'waitall=hello world!',
      'lseek=ESPIPE',
      'fdstat=socket,nonblock',
      'nonblock.recv=EAGAIN',
      'end=',
    ]);
    const b = await open(await port);
    b.write('x', () => b.resetAndDestroy());
    const { exitCode } = await run;
    expect(exitCode).toBe(0);
  }, 90_000);
});
