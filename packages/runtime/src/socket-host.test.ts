// The worker side of the host bridge, driven directly: the test plays the
// main thread by posting on the channel before each call (so nothing waits).

import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ERRNO_AGAIN, ERRNO_BADF, ERRNO_CONNRESET, ERRNO_FAULT, ERRNO_NOTCONN, ERRNO_SUCCESS, EVENTTYPE_CLOCK, EVENTTYPE_FD_READ,
  FDFLAGS_NONBLOCK, FILETYPE_SOCKET_STREAM, RIFLAGS_RECV_PEEK,
} from '@marcotte/abi';
import type { FromBox, ToBox } from './socket-bridge.ts';
import { CONN_FD_BASE, socketImports } from './socket-host.ts';

const FIRST = 4;
const IOVS = 100;
const OUT = 200;
const BUF = 1000;

let close: (() => void) | undefined;
afterEach(() => close?.());

function setup(listeners = 1, overrides: Record<string, (...a: number[]) => number> = {}) {
  const { port1, port2 } = new MessageChannel();
  close = () => {
    port1.close();
    port2.close();
  };
  const memory = new WebAssembly.Memory({ initial: 1 });
  const passed: string[] = [];
  const host = new Proxy({}, { get: (_, name: string) => overrides[name] ?? (() => {
    passed.push(name);
    return ERRNO_BADF;
  }) });
  const { imports, flush } = socketImports({ port: port2, wake: new SharedArrayBuffer(4), listeners }, FIRST, host, () => memory);
  const wasi = imports as Record<string, (...a: number[]) => number>;
  const view = new DataView(memory.buffer);
  const toBox = (m: ToBox) => port1.postMessage([m]);
  const fromBox = (): FromBox[] => {
    flush();
    const out: FromBox[] = [];
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) out.push(...(m.message as FromBox[]));
    return out;
  };
  const recv = (fd: number, len: number, flags = 0): [number, string] => {
    view.setUint32(IOVS, BUF, true);
    view.setUint32(IOVS + 4, len, true);
    const err = wasi.sock_recv!(fd, IOVS, 1, flags, OUT, OUT + 4);
    const n = err === ERRNO_SUCCESS ? view.getUint32(OUT, true) : 0;
    return [err, new TextDecoder().decode(new Uint8Array(memory.buffer, BUF, n))];
  };
  const accept = (flags = 0): [number, number] => {
    const err = wasi.sock_accept!(FIRST, flags, OUT);
    return [err, view.getUint32(OUT, true)];
  };
  return { wasi, view, memory, toBox, fromBox, recv, accept, passed };
}

describe('bridge sockets as the worker sees them', () => {
  it('answers EFAULT for iovecs outside the box\'s memory, and neither sends nor consumes anything', () => {
    const h = setup();
    h.toBox({ t: 'conn', listener: 0, id: 7 });
    h.toBox({ t: 'data', id: 7, bytes: new TextEncoder().encode('kept') });
    expect(h.accept()).toEqual([ERRNO_SUCCESS, CONN_FD_BASE]);
    const end = h.memory.buffer.byteLength;
    for (const [buf, len] of [[end - 2, 4], [0xffff_fff0, 32]]) {
      h.view.setUint32(IOVS, buf!, true);
      h.view.setUint32(IOVS + 4, len!, true);
      expect(h.wasi.sock_recv!(CONN_FD_BASE, IOVS, 1, 0, OUT, OUT + 4)).toBe(ERRNO_FAULT);
      expect(h.wasi.sock_send!(CONN_FD_BASE, IOVS, 1, 0, OUT)).toBe(ERRNO_FAULT);
    }
    // the iovec array itself past the end
    expect(h.wasi.sock_recv!(CONN_FD_BASE, end - 4, 1, 0, OUT, OUT + 4)).toBe(ERRNO_FAULT);
    expect(h.fromBox().filter((m) => m.t === 'send')).toEqual([]);
    expect(h.recv(CONN_FD_BASE, 8)).toEqual([ERRNO_SUCCESS, 'kept']);
  });

  it('presents the listeners as SOCKET_STREAM fds after the directories, not as preopens', () => {
    const h = setup(2);
    for (const fd of [FIRST, FIRST + 1]) {
      expect(h.wasi.fd_fdstat_get!(fd, OUT)).toBe(ERRNO_SUCCESS);
      expect(h.view.getUint8(OUT)).toBe(FILETYPE_SOCKET_STREAM);
      expect(h.wasi.fd_prestat_get!(fd, OUT)).toBe(ERRNO_BADF);
    }
    // other fds are node:wasi's
    expect(h.wasi.fd_fdstat_get!(FIRST + 2, OUT)).toBe(ERRNO_BADF);
    expect(h.passed).toEqual(['fd_fdstat_get']);
  });

  it('accepts, receives in order, peeks, and reads 0 bytes after the peer closes', () => {
    const h = setup();
    h.toBox({ t: 'conn', listener: 0, id: 7 });
    h.toBox({ t: 'data', id: 7, bytes: new TextEncoder().encode('hello ') });
    h.toBox({ t: 'data', id: 7, bytes: new TextEncoder().encode('world') });
    h.toBox({ t: 'eof', id: 7 });
    expect(h.accept()).toEqual([ERRNO_SUCCESS, CONN_FD_BASE]);
    expect(h.recv(CONN_FD_BASE, 3, RIFLAGS_RECV_PEEK)).toEqual([ERRNO_SUCCESS, 'hel']);
    expect(h.recv(CONN_FD_BASE, 8)).toEqual([ERRNO_SUCCESS, 'hello wo']);
    expect(h.recv(CONN_FD_BASE, 8)).toEqual([ERRNO_SUCCESS, 'rld']);
    expect(h.recv(CONN_FD_BASE, 8)).toEqual([ERRNO_SUCCESS, '']);
  });

  it('answers ECONNRESET after delivering what arrived before the reset', () => {
    const h = setup();
    h.toBox({ t: 'conn', listener: 0, id: 1 });
    h.toBox({ t: 'data', id: 1, bytes: new TextEncoder().encode('GET') });
    h.toBox({ t: 'error', id: 1, errno: ERRNO_CONNRESET });
    h.accept();
    expect(h.recv(CONN_FD_BASE, 8)).toEqual([ERRNO_SUCCESS, 'GET']);
    expect(h.recv(CONN_FD_BASE, 8)[0]).toBe(ERRNO_CONNRESET);
    h.view.setUint32(IOVS, BUF, true);
    expect(h.wasi.sock_send!(CONN_FD_BASE, IOVS, 1, 0, OUT)).toBe(ERRNO_CONNRESET);
  });

  it('answers EAGAIN on NONBLOCK fds with nothing to do', () => {
    const h = setup();
    expect(h.wasi.fd_fdstat_set_flags!(FIRST, FDFLAGS_NONBLOCK)).toBe(ERRNO_SUCCESS);
    expect(h.accept()[0]).toBe(ERRNO_AGAIN);
    h.toBox({ t: 'conn', listener: 0, id: 3 });
    expect(h.accept(FDFLAGS_NONBLOCK)).toEqual([ERRNO_SUCCESS, CONN_FD_BASE]);
    expect(h.recv(CONN_FD_BASE, 8)[0]).toBe(ERRNO_AGAIN);
    expect(h.recv(FIRST, 8)[0]).toBe(ERRNO_NOTCONN);
  });

  it('posts sends, shutdowns and closes to the main thread', () => {
    const h = setup();
    h.toBox({ t: 'conn', listener: 0, id: 5 });
    h.accept();
    new Uint8Array(h.memory.buffer).set(new TextEncoder().encode('reply'), BUF);
    h.view.setUint32(IOVS, BUF, true);
    h.view.setUint32(IOVS + 4, 5, true);
    expect(h.wasi.sock_send!(CONN_FD_BASE, IOVS, 1, 0, OUT)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(OUT, true)).toBe(5);
    expect(h.wasi.sock_shutdown!(CONN_FD_BASE, 2)).toBe(ERRNO_SUCCESS);
    expect(h.wasi.fd_close!(CONN_FD_BASE)).toBe(ERRNO_SUCCESS);
    const sent = h.fromBox();
    expect(sent.map((m) => m.t)).toEqual(['send', 'shutdown', 'close']);
    expect(new TextDecoder().decode((sent[0] as { bytes: Uint8Array }).bytes)).toBe('reply');
  });

  it('poll_oneoff reports a readable socket at once, and a clock once it is due when nothing comes', () => {
    const h = setup();
    const sub = (i: number, tag: number, fdOrClock: number, timeoutNs = 0n) => {
      const at = 300 + i * 48;
      new Uint8Array(h.memory.buffer, at, 48).fill(0);
      h.view.setBigUint64(at, BigInt(i + 1), true);
      h.view.setUint8(at + 8, tag);
      h.view.setUint32(at + 16, fdOrClock, true);
      if (tag === EVENTTYPE_CLOCK) h.view.setBigUint64(at + 24, timeoutNs, true);
    };
    sub(0, EVENTTYPE_FD_READ, FIRST);
    sub(1, EVENTTYPE_CLOCK, 1, 1_000_000n);
    expect(h.wasi.poll_oneoff!(300, 600, 2, OUT)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(OUT, true)).toBe(1);
    expect(h.view.getBigUint64(600, true)).toBe(2n);
    h.toBox({ t: 'conn', listener: 0, id: 9 });
    // a clock far away: only the socket can be ready, however slow the machine
    sub(1, EVENTTYPE_CLOCK, 1, 3_600_000_000_000n);
    expect(h.wasi.poll_oneoff!(300, 600, 2, OUT)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(OUT, true)).toBe(1);
    expect(h.view.getBigUint64(600, true)).toBe(1n);
    expect(h.view.getUint8(600 + 10)).toBe(EVENTTYPE_FD_READ);
  });

  it('poll_oneoff asks node:wasi about its own fds (stdin) without letting it wait, and puts the subscriptions back', () => {
    let seen: number[] = [];
    let memory!: WebAssembly.Memory;
    const h = setup(1, {
      poll_oneoff: (inPtr, out, n, nevents) => {
        const v = new DataView(memory.buffer);
        seen = Array.from({ length: n }, (_, i) => v.getUint8(inPtr + i * 48 + 8));
        // stdin is readable: its event, then the clock that was already due
        v.setBigUint64(out, v.getBigUint64(inPtr, true), true);
        v.setUint8(out + 10, EVENTTYPE_FD_READ);
        v.setUint8(out + 32 + 10, EVENTTYPE_CLOCK);
        v.setUint32(nevents, 2, true);
        return ERRNO_SUCCESS;
      },
    });
    memory = h.memory;
    const at = 300;
    new Uint8Array(h.memory.buffer, at, 96).fill(0);
    h.view.setBigUint64(at, 11n, true);
    h.view.setUint8(at + 8, EVENTTYPE_FD_READ);
    h.view.setUint32(at + 16, FIRST, true);
    h.view.setBigUint64(at + 48, 22n, true);
    h.view.setUint8(at + 48 + 8, EVENTTYPE_FD_READ);
    h.view.setUint32(at + 48 + 16, 0, true);
    const before = new Uint8Array(h.memory.buffer, at, 96).slice();
    expect(h.wasi.poll_oneoff!(at, 600, 2, OUT)).toBe(ERRNO_SUCCESS);
    expect(seen).toEqual([EVENTTYPE_FD_READ, EVENTTYPE_CLOCK]);
    expect(h.view.getUint32(OUT, true)).toBe(1);
    expect(h.view.getBigUint64(600, true)).toBe(22n);
    expect(new Uint8Array(h.memory.buffer, at, 96)).toEqual(before);
  });
});
