// The main thread's side of the host bridge (box run -p HOST:BOX): it owns
// the host's listening sockets and connections, posts what arrives to the
// box's worker and writes what the box sends (src/socket-host.ts is the
// worker's side). Nothing here ever waits for the worker.

import { createServer, type Server, type Socket } from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ERRNO_CONNRESET, ERRNO_PIPE, ERRNO_TIMEDOUT } from '@marcotte/abi';
import { StartError } from './errors.ts';
import type { FromBox, SocketChannel, ToBox } from './socket-bridge.ts';

/** One -p mapping: connections to host `address:host` reach the box's listener for `box`. */
export interface Publish {
  host: number;
  box: number;
  /** where to listen (default: every interface, as docker run -p) */
  address?: string;
}

/** Past this many bytes the box has not read yet, the connection stops reading from the network. */
const PAUSE_AT = 1 << 20;
const RESUME_AT = 256 * 1024;

const ERRNOS: Record<string, number> = { ECONNRESET: ERRNO_CONNRESET, EPIPE: ERRNO_PIPE, ETIMEDOUT: ERRNO_TIMEDOUT };

export class NetBridge {
  /** the worker's end, the wake-up counter and the listener count: hand to the worker (transfer the port) */
  readonly channel: SocketChannel;
  private readonly port: MessagePort;
  private readonly wake: Int32Array;
  private readonly servers: Server[] = [];
  private readonly sockets = new Map<number, { socket: Socket; unread: number }>();
  private nextId = 1;
  private outbox: ToBox[] = [];
  private transfer: ArrayBuffer[] = [];
  private closed = false;

  private constructor(listeners: number) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const wake = new SharedArrayBuffer(4);
    this.wake = new Int32Array(wake);
    this.channel = { port: port2, wake, listeners };
    port1.on('message', (batch: FromBox[]) => this.fromBox(batch));
  }

  /**
   * Listens on every mapping's host port before the box starts. `ports` are
   * the box's ports in --listen order (its manifest); a mapping to a port the
   * box does not listen on, or a host port that cannot be bound, cannot start.
   */
  static async open(ports: readonly number[], publish: readonly Publish[]): Promise<NetBridge> {
    for (const p of publish) {
      if (!ports.includes(p.box)) {
        const listens = ports.length ? `it listens on ${ports.join(', ')}` : 'it listens on no port (link it with --listen PORT)';
        throw new StartError(`-p ${p.address ? `${p.address}:` : ''}${p.host}:${p.box}: the box does not listen on port ${p.box}; ${listens}`);
      }
    }
    const bridge = new NetBridge(ports.length);
    try {
      for (const p of publish) await bridge.listen(p, ports.indexOf(p.box));
    } catch (e) {
      bridge.close();
      throw new StartError(`-p ${(e as { publish?: Publish }).publish?.host ?? ''}: ${(e as Error).message}`);
    }
    return bridge;
  }

  /** The host ports actually bound, in -p order (a -p 0:BOX mapping picks a free port). */
  get boundPorts(): number[] {
    return this.servers.map((s) => (s.address() as { port: number }).port);
  }

  private listen(p: Publish, listener: number): Promise<void> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket, listener));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(Object.assign(e, { publish: p })));
      server.listen({ port: p.host, ...(p.address ? { host: p.address } : {}) }, () => resolve());
    });
  }

  /**
   * Queues a message for the box. Everything one turn of the event loop
   * brings (many sockets may be readable at once) goes in one batch, posted
   * after the I/O callbacks: one message and one wake-up instead of one each.
   */
  private toBox(m: ToBox): void {
    this.outbox.push(m);
    if (m.t === 'data') this.transfer.push(m.bytes.buffer as ArrayBuffer);
    if (this.outbox.length === 1) setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    if (this.closed || this.outbox.length === 0) return;
    this.port.postMessage(this.outbox, this.transfer);
    this.outbox = [];
    this.transfer = [];
    Atomics.add(this.wake, 0, 1);
    Atomics.notify(this.wake, 0);
  };

  private accept(socket: Socket, listener: number): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const id = this.nextId++;
    const entry = { socket, unread: 0 };
    this.sockets.set(id, entry);
    this.toBox({ t: 'conn', listener, id });
    let ended = false;
    socket.on('data', (chunk: Buffer) => {
      entry.unread += chunk.length;
      if (entry.unread > PAUSE_AT) socket.pause();
      // A copy of its own, transferred: a chunk may be a slice of a larger pooled buffer.
      this.toBox({ t: 'data', id, bytes: Uint8Array.prototype.slice.call(chunk) });
    });
    socket.on('end', () => {
      ended = true;
      this.toBox({ t: 'eof', id });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.toBox({ t: 'error', id, errno: ERRNOS[e.code ?? ''] ?? ERRNO_CONNRESET });
    });
    socket.on('close', () => {
      // A close without an end or an error: the peer is gone all the same.
      if (!ended) this.toBox({ t: 'eof', id });
    });
  }

  private fromBox(batch: FromBox[]): void {
    const corked = new Set<Socket>();
    for (const m of batch) {
      const entry = this.sockets.get(m.id);
      if (!entry) continue;
      if (m.t === 'send' && !entry.socket.destroyed && !corked.has(entry.socket)) {
        // One write to the kernel per connection and batch.
        entry.socket.cork();
        corked.add(entry.socket);
      }
      this.apply(m, entry);
    }
    for (const socket of corked) socket.uncork();
  }

  private apply(m: FromBox, entry: { socket: Socket; unread: number }): void {
    const { socket } = entry;
    if (m.t === 'send') {
      if (!socket.destroyed) socket.write(m.bytes);
    } else if (m.t === 'shutdown') {
      socket.end();
    } else if (m.t === 'close') {
      this.sockets.delete(m.id);
      // Whatever the peer does next, the box is done with this connection.
      if (socket.writableFinished) socket.destroy();
      else {
        socket.once('finish', () => socket.destroy());
        socket.end();
      }
    } else {
      entry.unread -= m.bytes;
      if (entry.unread < RESUME_AT && socket.isPaused()) socket.resume();
    }
  }

  /** Closes every listener and connection (the box has ended). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const server of this.servers) server.close();
    for (const { socket } of this.sockets.values()) socket.destroy();
    this.sockets.clear();
    this.port.close();
  }
}
