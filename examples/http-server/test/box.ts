// The example's box, linked as `box-link --fs --image www --listen 8080
// server.wasm` does, and a way to serve it on a free loopback port.

import { readFileSync } from 'node:fs';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { net } from '@marcotte/net';
import { runBoxIsolated } from '@marcotte/runtime';
import { imageFromDirectory, vfs } from '@marcotte/vfs';

/** The port the box listens on inside (box-link --listen). */
export const BOX_PORT = 8080;

export function linkServer(options: { portable?: boolean } = {}): Uint8Array {
  const program = readFileSync(new URL('../server.wasm', import.meta.url));
  const image = imageFromDirectory(new URL('../www', import.meta.url).pathname);
  return link(program, { capabilities: [kernel, vfs, net], entrypoint: 'server.wasm', args: [], env: [], image, listen: [BOX_PORT], ...options }).bytes;
}

export interface Served {
  /** http://127.0.0.1:PORT */
  url: string;
  /** ends the box; resolves once its worker and sockets are gone */
  stop(): Promise<void>;
}

/** Runs the box with -p 127.0.0.1:0:8080 (a free host port) until stop(). */
export async function serve(box: Uint8Array, mode?: 'static' | 'dynamic'): Promise<Served> {
  const controller = new AbortController();
  let listening!: (port: number) => void;
  const port = new Promise<number>((resolve) => (listening = resolve));
  const run = runBoxIsolated(box, {
    publish: [{ host: 0, box: BOX_PORT, address: '127.0.0.1' }],
    onListening: (ports) => listening(ports[0]!),
    signal: controller.signal,
    ...(mode ? { mode } : {}),
    stdout: 1,
    stderr: 2,
  });
  const ended = run.then(() => undefined, () => undefined);
  const first = await Promise.race([port, run.then(() => { throw new Error('the server box ended before listening'); })]);
  return {
    url: `http://127.0.0.1:${first}`,
    stop: async () => {
      controller.abort();
      await ended;
    },
  };
}
