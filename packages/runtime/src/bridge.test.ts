import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NetBridge } from './bridge.ts';
import { StartError } from './errors.ts';

describe('NetBridge (the main thread side of box run -p)', () => {
  it('refuses a mapping to a port the box does not listen on', async () => {
    await expect(NetBridge.open([8080], [{ host: 0, box: 9090, address: '127.0.0.1' }])).rejects.toThrow(StartError);
    await expect(NetBridge.open([], [{ host: 0, box: 80, address: '127.0.0.1' }])).rejects.toThrow(/listens on no port/);
  });

  it('refuses a host port that is taken, as a start error', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(NetBridge.open([80], [{ host: port, box: 80, address: '127.0.0.1' }])).rejects.toThrow(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('closes every connection and listener when the box ends', async () => {
    const bridge = await NetBridge.open([80], [{ host: 0, box: 80, address: '127.0.0.1' }]);
    const port = bridge.boundPorts[0]!;
    const closed = new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => setImmediate(() => bridge.close()));
      socket.on('close', () => resolve());
      socket.on('error', reject);
      socket.resume();
    });
    await closed;
    await expect(new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve('connected'));
      socket.on('error', (e: NodeJS.ErrnoException) => reject(e));
    })).rejects.toThrow(/ECONNREFUSED/);
    bridge.channel.port.close();
  });
});
