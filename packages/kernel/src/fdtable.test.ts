import { describe, expect, it } from 'vitest';
import {
  ERRNO_BADF, ERRNO_FAULT, ERRNO_INVAL, ERRNO_MFILE, ERRNO_NOTCAPABLE, ERRNO_SUCCESS,
  EVENTTYPE_FD_READ, RIGHTS_FD_READ, RIGHTS_FD_WRITE,
} from '@marcotte/abi';
import { kernelHarness } from '../test/harness.ts';

/** A host whose path_open hands out host fds 100, 101, ... and writes them where asked. */
function openingHost() {
  let next = 100;
  return {
    path_open: (app: DataView, ...args: (number | bigint)[]) => {
      app.setUint32(Number(args[8]), next++, true);
      return ERRNO_SUCCESS;
    },
    fd_close: () => ERRNO_SUCCESS,
    fd_write: () => ERRNO_SUCCESS,
    fd_fdstat_get: () => ERRNO_SUCCESS,
  };
}

async function setup(preopens = 1, host: Record<string, (app: DataView, ...args: (number | bigint)[]) => number> = {}) {
  const h = await kernelHarness({ preopens, host: { ...openingHost(), ...host } });
  const OUT = 1000;
  const open = (dir = 3): [number, number] => {
    const err = h.kernel.path_open!(dir, 0, 0, 1, 0, -1n, -1n, 0, OUT);
    return [err, h.view.getUint32(OUT, true)];
  };
  return { ...h, open };
}

describe('fd table', () => {
  it('gives new fds the lowest free number and reuses it after close', async () => {
    const h = await setup();
    expect(h.open()).toEqual([ERRNO_SUCCESS, 4]);
    expect(h.open()).toEqual([ERRNO_SUCCESS, 5]);
    expect(h.open()).toEqual([ERRNO_SUCCESS, 6]);
    expect(h.kernel.fd_close!(5)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('fd_close').map((c) => c.args[0])).toEqual([101]);
    expect(h.open()).toEqual([ERRNO_SUCCESS, 5]);
    expect(h.kernel.fd_close!(5)).toBe(ERRNO_SUCCESS);
    expect(h.kernel.fd_close!(5)).toBe(ERRNO_BADF);
  });

  it('translates box fds to host fds', async () => {
    const h = await setup();
    h.open(); // box 4 -> host 100
    h.open(); // box 5 -> host 101
    expect(h.kernel.fd_write!(5, 0, 0, 16)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('fd_write').at(-1)!.args).toEqual([101, 0, 0, 16]);
    // the program's own pointers go straight to the host: no copy
    expect(h.callsOf('path_open')[0]!.args[0]).toBe(3);
  });

  it('numbers host preopens from 3 in host order and stops at the first fd that is not one', async () => {
    const h = await setup(2);
    expect(h.kernel.fd_prestat_get!(3, 2000)).toBe(ERRNO_SUCCESS);
    expect(h.kernel.fd_prestat_get!(4, 2000)).toBe(ERRNO_SUCCESS);
    expect(h.kernel.fd_prestat_get!(5, 2000)).toBe(ERRNO_BADF);
    expect(h.callsOf('fd_prestat_get').map((c) => c.args[0])).toEqual([3, 4]);
    // an opened file is not a preopen, and gets the next number after them
    expect(h.open()).toEqual([ERRNO_SUCCESS, 5]);
    expect(h.kernel.fd_prestat_get!(5, 2000)).toBe(ERRNO_BADF);
  });

  it('leaves the app memory it borrowed at init as it found it', async () => {
    const h = await kernelHarness({ preopens: 3 });
    expect(new Uint8Array(h.app.buffer, 0, 16).every((b) => b === 0)).toBe(true);
  });

  it('renumbers onto an open fd, closing what was there', async () => {
    const h = await setup();
    h.open(); // 4 -> 100
    h.open(); // 5 -> 101
    expect(h.kernel.fd_renumber!(5, 4)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('fd_close').map((c) => c.args[0])).toEqual([100]);
    expect(h.kernel.fd_write!(4, 0, 0, 16)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('fd_write').at(-1)!.args[0]).toBe(101);
    expect(h.kernel.fd_write!(5, 0, 0, 16)).toBe(ERRNO_BADF);
    // both ends must be open
    expect(h.kernel.fd_renumber!(4, 9)).toBe(ERRNO_BADF);
    expect(h.kernel.fd_renumber!(9, 4)).toBe(ERRNO_BADF);
    expect(h.kernel.fd_renumber!(4, 4)).toBe(ERRNO_SUCCESS);
  });

  it('enforces rights with ENOTCAPABLE and never widens them', async () => {
    const h = await setup();
    h.open();
    expect(h.kernel.fd_fdstat_set_rights!(4, RIGHTS_FD_READ, 0n)).toBe(ERRNO_SUCCESS);
    expect(h.kernel.fd_write!(4, 0, 0, 16)).toBe(ERRNO_NOTCAPABLE);
    expect(h.callsOf('fd_write')).toHaveLength(0);
    expect(h.kernel.fd_fdstat_set_rights!(4, RIGHTS_FD_READ | RIGHTS_FD_WRITE, 0n)).toBe(ERRNO_NOTCAPABLE);
    // fd_fdstat_get reports the host's rights narrowed by the box's
    const buf = 3000;
    h.view.setBigUint64(buf + 8, 0xffffn, true);
    h.view.setBigUint64(buf + 16, 0xffffn, true);
    expect(h.kernel.fd_fdstat_get!(4, buf)).toBe(ERRNO_SUCCESS);
    expect(h.view.getBigUint64(buf + 8, true)).toBe(RIGHTS_FD_READ);
    expect(h.view.getBigUint64(buf + 16, true)).toBe(0n);
  });

  it('closes stdio in the box only: the host keeps its stdout, the number is reused', async () => {
    const h = await setup();
    expect(h.kernel.fd_close!(1)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('fd_close')).toHaveLength(0);
    expect(h.kernel.fd_write!(1, 0, 0, 16)).toBe(ERRNO_BADF);
    expect(h.open()).toEqual([ERRNO_SUCCESS, 1]);
  });

  it('answers EMFILE when the table is full, without opening anything on the host', async () => {
    const h = await setup();
    let last = 0;
    for (;;) {
      const [err, fd] = h.open();
      if (err !== ERRNO_SUCCESS) {
        expect(err).toBe(ERRNO_MFILE);
        break;
      }
      last = fd;
    }
    expect(last).toBe(1023);
    expect(h.callsOf('path_open')).toHaveLength(1024 - 4);
  });

  it('answers EFAULT for pointers outside the app memory and never calls the host', async () => {
    const h = await setup();
    const end = h.app.buffer.byteLength;
    expect(h.kernel.fd_write!(1, end - 4, 1, 16)).toBe(ERRNO_FAULT); // iovec array past the end
    h.view.setUint32(64, end - 2, true);
    h.view.setUint32(68, 8, true); // buffer past the end
    expect(h.kernel.fd_write!(1, 64, 1, 16)).toBe(ERRNO_FAULT);
    expect(h.kernel.fd_write!(1, 64, 0, end)).toBe(ERRNO_FAULT); // result pointer
    expect(h.kernel.fd_write!(1, 0xffff_fff8, 0x2000_0000, 16)).toBe(ERRNO_FAULT); // length overflows 32 bits
    expect(h.callsOf('fd_write')).toHaveLength(0);
  });

  it('translates poll_oneoff subscriptions in place and restores them', async () => {
    let seen = -1;
    const h = await setup(1, {
      poll_oneoff: (app, inPtr) => {
        seen = app.getUint32(Number(inPtr) + 16, true);
        return ERRNO_SUCCESS;
      },
    });
    h.open(); // box 4 -> host 100
    const subs = 4096, events = 8192, nevents = 12000;
    h.view.setBigUint64(subs, 77n, true);
    h.view.setUint8(subs + 8, EVENTTYPE_FD_READ);
    h.view.setUint32(subs + 16, 4, true);
    expect(h.kernel.poll_oneoff!(subs, events, 1, nevents)).toBe(ERRNO_SUCCESS);
    expect(seen).toBe(100);
    expect(h.view.getUint32(subs + 16, true)).toBe(4);
    // a subscription on an fd that is not open is an immediate EBADF event; the host is not asked
    h.view.setUint32(subs + 16, 9, true);
    expect(h.kernel.poll_oneoff!(subs, events, 1, nevents)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('poll_oneoff')).toHaveLength(1);
    expect(h.view.getUint32(nevents, true)).toBe(1);
    expect(h.view.getBigUint64(events, true)).toBe(77n);
    expect(h.view.getUint16(events + 8, true)).toBe(ERRNO_BADF);
    expect(h.view.getUint8(events + 10)).toBe(EVENTTYPE_FD_READ);
    expect(h.kernel.poll_oneoff!(subs, events, 0, nevents)).toBe(ERRNO_INVAL);
  });
});

describe('poll_oneoff with virtual time (--clock fixed)', () => {
  it('sleeps by moving time to the earliest deadline and reports every subscription due then', async () => {
    let now = 1_000n;
    const advanced: bigint[] = [];
    const h = await kernelHarness({
      clock: { virtual_time: () => 1, now: () => now, advance: (ns: bigint) => { advanced.push(ns); now += ns; } },
    });
    const subs = 4096, events = 8192, nevents = 12000;
    const sub = (i: number, userdata: bigint, timeout: bigint, abs: boolean, id = 1) => {
      const at = subs + i * 48;
      h.view.setBigUint64(at, userdata, true);
      h.view.setUint8(at + 8, 0); // EVENTTYPE_CLOCK
      h.view.setUint32(at + 16, id, true);
      h.view.setBigUint64(at + 24, timeout, true);
      h.view.setUint16(at + 40, abs ? 1 : 0, true);
    };
    sub(0, 1n, 500n, false); // relative: 500 from now
    sub(1, 2n, 1_300n, true); // absolute: 300 from now
    sub(2, 3n, 300n, false); // relative: 300 from now, ties with #2
    expect(h.kernel.poll_oneoff!(subs, events, 3, nevents)).toBe(ERRNO_SUCCESS);
    expect(advanced).toEqual([300n]);
    expect(h.view.getUint32(nevents, true)).toBe(2);
    expect([h.view.getBigUint64(events, true), h.view.getBigUint64(events + 32, true)]).toEqual([2n, 3n]);
    expect(h.callsOf('poll_oneoff')).toHaveLength(0);
    // an invalid clock id is an EINVAL event, not a wait
    sub(0, 9n, 5n, false, 77);
    expect(h.kernel.poll_oneoff!(subs, events, 1, nevents)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint16(events + 8, true)).toBe(ERRNO_INVAL);
  });

  it('waits on the host when time is the host\'s', async () => {
    const h = await kernelHarness({ host: { poll_oneoff: () => ERRNO_SUCCESS } });
    h.view.setUint8(4096 + 8, 0);
    h.view.setBigUint64(4096 + 24, 1000n, true);
    expect(h.kernel.poll_oneoff!(4096, 8192, 1, 12000)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('poll_oneoff')).toHaveLength(1);
  });
});

describe('poll_oneoff absolute deadlines on the host', () => {
  it('are handed to the host as relative timeouts on the clock capability, then restored', async () => {
    let seen: [bigint, number] = [0n, -1];
    const h = await kernelHarness({
      clock: { virtual_time: () => 0, now: () => 5_000n, advance: () => {} },
      host: {
        poll_oneoff: (app, inPtr) => {
          seen = [app.getBigUint64(Number(inPtr) + 24, true), app.getUint16(Number(inPtr) + 40, true)];
          return ERRNO_SUCCESS;
        },
      },
    });
    const at = 4096;
    h.view.setUint8(at + 8, 0); // EVENTTYPE_CLOCK
    h.view.setUint32(at + 16, 1, true); // MONOTONIC
    h.view.setBigUint64(at + 24, 7_000n, true);
    h.view.setUint16(at + 40, 1, true); // ABSTIME
    expect(h.kernel.poll_oneoff!(at, 8192, 1, 12000)).toBe(ERRNO_SUCCESS);
    expect(seen).toEqual([2_000n, 0]);
    expect(h.view.getBigUint64(at + 24, true)).toBe(7_000n);
    expect(h.view.getUint16(at + 40, true)).toBe(1);
    // a deadline already past becomes "now", not a wait forever
    h.view.setBigUint64(at + 24, 10n, true);
    h.kernel.poll_oneoff!(at, 8192, 1, 12000);
    expect(seen).toEqual([0n, 0]);
  });
});
