// The browser host's preview1 functions, called directly on a memory (Node
// has the same WebAssembly, performance and crypto globals as a worker).

import { describe, expect, it } from 'vitest';
import { ERRNO_BADF, ERRNO_FAULT, ERRNO_NOSYS, ERRNO_SPIPE, FUNCTIONS } from '@marcotte/abi';
import { createHost, HOST_SUPPORT, ProcExit } from '../src/host.ts';
import { bytesSource, channelSource, StdinQueue, createChannel } from '../src/stdin.ts';

type Call = (...a: unknown[]) => number;

function setup(stdin = new Uint8Array(0)) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const written: Array<[number, string]> = [];
  const host = createHost({
    args: ['prog', 'a b', 'ü'],
    env: { HOME: '/', X: 'y=z' },
    memory: () => memory,
    write: (fd, bytes) => written.push([fd, new TextDecoder().decode(bytes)]),
    stdin: bytesSource(stdin),
    sleep: () => {},
  }) as unknown as Record<string, Call>;
  const view = () => new DataView(memory.buffer);
  const bytes = new Uint8Array(memory.buffer);
  const cstrings = (ptrs: number, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const at = view().getUint32(ptrs + 4 * i, true);
      return new TextDecoder().decode(bytes.subarray(at, bytes.indexOf(0, at)));
    });
  return { host, view, bytes, written, cstrings, memory };
}

describe('browser preview1 host', () => {
  it('answers every preview1 function, EBADF for unknown fds and ENOSYS for the rest', () => {
    const { host } = setup();
    for (const f of FUNCTIONS) expect(typeof host[f.name]).toBe('function');
    expect(host.path_open!(3, 0, 0, 0, 0, 0n, 0n, 0, 0)).toBe(ERRNO_BADF);
    expect(host.fd_write!(7, 0, 0, 0)).toBe(ERRNO_BADF);
    expect(host.sock_accept!(3, 0, 0)).toBe(ERRNO_BADF);
    expect(host.proc_raise!(2)).toBe(ERRNO_NOSYS);
    for (const name of Object.keys(HOST_SUPPORT)) expect(FUNCTIONS.some((f) => f.name === name)).toBe(true);
  });

  it('passes args and environ as NUL-terminated UTF-8', () => {
    const { host, view, cstrings } = setup();
    expect(host.args_sizes_get!(0, 4)).toBe(0);
    expect(view().getUint32(0, true)).toBe(3);
    expect(view().getUint32(4, true)).toBe('prog\0a b\0ü\0'.length + 1);
    expect(host.args_get!(100, 200)).toBe(0);
    expect(cstrings(100, 3)).toEqual(['prog', 'a b', 'ü']);
    expect(host.environ_sizes_get!(0, 4)).toBe(0);
    expect(view().getUint32(0, true)).toBe(2);
    expect(host.environ_get!(300, 400)).toBe(0);
    expect(cstrings(300, 2)).toEqual(['HOME=/', 'X=y=z']);
  });

  it('writes iovecs of fds 1 and 2 to the callback and counts them', () => {
    const { host, view, bytes, written } = setup();
    bytes.set(new TextEncoder().encode('hello world'), 1000);
    view().setUint32(0, 1000, true);
    view().setUint32(4, 6, true);
    view().setUint32(8, 1006, true);
    view().setUint32(12, 5, true);
    expect(host.fd_write!(1, 0, 2, 16)).toBe(0);
    expect(view().getUint32(16, true)).toBe(11);
    expect(host.fd_write!(2, 8, 1, 16)).toBe(0);
    expect(written).toEqual([[1, 'hello '], [1, 'world'], [2, 'world']]);
    expect(host.fd_write!(0, 0, 1, 16)).toBe(ERRNO_BADF);
  });

  it('answers EFAULT for iovecs outside memory instead of trapping', () => {
    const { host, view } = setup();
    view().setUint32(0, 65530, true);
    view().setUint32(4, 100, true);
    expect(host.fd_write!(1, 0, 1, 16)).toBe(ERRNO_FAULT);
    expect(host.fd_write!(1, 65534, 1, 16)).toBe(ERRNO_FAULT);
    expect(host.random_get!(65000, 1000)).toBe(ERRNO_FAULT);
  });

  it('reads stdin, then end-of-file', () => {
    const { host, view, bytes } = setup(new TextEncoder().encode('line one\n'));
    view().setUint32(0, 1000, true);
    view().setUint32(4, 4, true);
    view().setUint32(8, 2000, true);
    view().setUint32(12, 100, true);
    expect(host.fd_read!(0, 0, 2, 16)).toBe(0);
    expect(view().getUint32(16, true)).toBe(9);
    expect(new TextDecoder().decode(bytes.subarray(1000, 1004)) + new TextDecoder().decode(bytes.subarray(2000, 2005))).toBe('line one\n');
    expect(host.fd_read!(0, 0, 2, 16)).toBe(0);
    expect(view().getUint32(16, true)).toBe(0);
    expect(host.fd_read!(1, 0, 2, 16)).toBe(ERRNO_BADF);
  });

  it('describes stdio as character devices without seek', () => {
    const { host, view } = setup();
    expect(host.fd_fdstat_get!(1, 8)).toBe(0);
    expect(view().getUint8(8)).toBe(2);
    expect(host.fd_fdstat_get!(3, 8)).toBe(ERRNO_BADF);
    expect(host.fd_seek!(1, 0n, 0, 8)).toBe(ERRNO_SPIPE);
    expect(host.fd_prestat_get!(3, 8)).toBe(ERRNO_BADF);
  });

  it('tells time, fills random bytes and exits by unwinding', () => {
    const { host, view, memory } = setup();
    expect(host.clock_time_get!(0, 0n, 8)).toBe(0);
    const now = view().getBigUint64(8, true);
    expect(Number(now / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
    expect(host.clock_time_get!(9, 0n, 8)).not.toBe(0);
    memory.grow(1); // more than the 64 KiB getRandomValues fills at once
    expect(host.random_get!(100, 70_000)).toBe(0);
    const filled = new Uint8Array(memory.buffer, 100, 70_000);
    expect(filled.subarray(0, 100).some((b) => b !== 0) && filled.subarray(69_900).some((b) => b !== 0)).toBe(true);
    expect(() => host.proc_exit!(3)).toThrow(ProcExit);
  });

  it('poll_oneoff reports a ready stdin and a due clock', () => {
    const { host, view } = setup(new TextEncoder().encode('x'));
    // subscription 0: fd_read on fd 0; subscription 1: a relative clock of 0 ns
    view().setBigUint64(0, 11n, true);
    view().setUint8(8, 1);
    view().setUint32(16, 0, true);
    view().setBigUint64(48, 22n, true);
    view().setUint8(56, 0);
    view().setUint32(64, 1, true);
    view().setBigUint64(72, 0n, true);
    expect(host.poll_oneoff!(0, 200, 2, 400)).toBe(0);
    expect(view().getUint32(400, true)).toBe(2);
    expect(view().getBigUint64(200, true)).toBe(11n);
    expect(view().getBigUint64(232, true)).toBe(22n);
  });
});

describe('poll_oneoff', () => {
  const clock = (view: DataView, at: number, userdata: bigint, id: number, ns: bigint) => {
    view.setBigUint64(at, userdata, true);
    view.setUint8(at + 8, 0);
    view.setUint32(at + 16, id, true);
    view.setBigUint64(at + 24, ns, true);
  };

  it('sleeps until a relative clock is due, through the sleep it was given', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const slept: number[] = [];
    const host = createHost({
      args: [], env: {}, memory: () => memory, write: () => {}, stdin: bytesSource(new Uint8Array(0)),
      sleep: (ms) => {
        slept.push(ms);
        // The worker's sleep blocks; so does this one, without a busy loop.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      },
    }) as unknown as Record<string, Call>;
    const view = new DataView(memory.buffer);
    // 200 ms: long enough that the clock is not already due when poll_oneoff gets to
    // sleeping, even with this process descheduled on a loaded machine (5 ms was, at load 10).
    clock(view, 0, 7n, 1, 200_000_000n);
    expect(host.poll_oneoff!(0, 100, 1, 200)).toBe(0);
    expect(view.getUint32(200, true)).toBe(1);
    expect(view.getBigUint64(100, true)).toBe(7n);
    expect(view.getUint16(108, true)).toBe(0);
    expect(slept.length).toBeGreaterThan(0);
  });

  it('answers an unknown clock at once with EINVAL instead of sleeping for ever', () => {
    const { host, view } = setup();
    clock(view(), 0, 9n, 99, 1n << 60n);
    expect(host.poll_oneoff!(0, 100, 1, 200)).toBe(0);
    expect(view().getUint32(200, true)).toBe(1);
    expect(view().getUint16(108, true)).toBe(28);
  });

  it('does not wait for stdin when stdout is writable', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const never = { ready: () => false, wait: () => { throw new Error('waited'); }, read: () => new Uint8Array(0) };
    const host = createHost({ args: [], env: {}, memory: () => memory, write: () => {}, stdin: never, sleep: () => {} }) as unknown as Record<string, Call>;
    const view = new DataView(memory.buffer);
    view.setUint8(8, 1); // fd_read on fd 0
    view.setUint8(56, 2); // fd_write on fd 1
    view.setUint32(64, 1, true);
    expect(host.poll_oneoff!(0, 100, 2, 200)).toBe(0);
    expect(view.getUint32(200, true)).toBe(1);
    expect(view.getUint8(110)).toBe(2);
  });
});

describe('stdin channel', () => {
  it('moves queued bytes to the reader and ends with EOF', () => {
    const channel = createChannel();
    const queue = new StdinQueue();
    queue.write('ab');
    queue.attach(channel);
    const source = channelSource(channel, () => queue.pump());
    queue.write('cd');
    expect(new TextDecoder().decode(source.read(10))).toBe('ab');
    expect(source.ready()).toBe(true);
    expect(new TextDecoder().decode(source.read(1))).toBe('c');
    expect(new TextDecoder().decode(source.read(10))).toBe('d');
    expect(source.ready()).toBe(false);
    queue.end();
    expect(source.read(10)).toHaveLength(0);
  });

  it('waits no longer than asked when nothing comes', () => {
    const source = channelSource(createChannel(), () => {});
    source.wait(1);
    expect(source.ready()).toBe(false);
  });
});
