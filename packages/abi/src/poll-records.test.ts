import { describe, expect, it } from 'vitest';
import { EVENTTYPE_CLOCK, EVENTTYPE_FD_READ } from './preview1.generated.ts';
import {
  eventAt, eventType, subscriptionAt, subscriptionClock, subscriptionFd, subscriptionTag, writeClockSubscription, writeEvent,
} from './poll-records.ts';

// Offsets written out from the preview1 spec (typenames.witx), independently of the generated table.
describe('poll records', () => {
  it('reads an fd subscription where wasi-libc writes it', () => {
    const v = new DataView(new ArrayBuffer(200));
    const sub = subscriptionAt(100, 1);
    expect(sub).toBe(148);
    v.setBigUint64(sub, 7n, true);
    v.setUint8(sub + 8, EVENTTYPE_FD_READ);
    v.setUint32(sub + 16, 42, true);
    expect(subscriptionTag(v, sub)).toBe(EVENTTYPE_FD_READ);
    expect(subscriptionFd(v, sub)).toBe(42);
  });

  it('writes and reads a clock subscription', () => {
    const v = new DataView(new ArrayBuffer(48));
    new Uint8Array(v.buffer).fill(0xaa);
    writeClockSubscription(v, 0, 9n, 1, 1_000_000n);
    expect(v.getBigUint64(0, true)).toBe(9n);
    expect(v.getUint8(8)).toBe(EVENTTYPE_CLOCK);
    expect(v.getUint32(16, true)).toBe(1);
    expect(v.getBigUint64(24, true)).toBe(1_000_000n);
    expect(v.getUint16(40, true)).toBe(0); // relative
    expect(subscriptionClock(v, 0)).toEqual({ id: 1, timeout: 1_000_000n, absolute: false });
    v.setUint16(40, 1, true);
    expect(subscriptionClock(v, 0).absolute).toBe(true);
  });

  it('writes an fd event with its userdata, bytes and flags, everything else zero', () => {
    const v = new DataView(new ArrayBuffer(48 + 64));
    v.setBigUint64(0, 0x1122334455667788n, true);
    v.setUint8(8, EVENTTYPE_FD_READ);
    new Uint8Array(v.buffer, 48).fill(0xff);
    const at = eventAt(48, 1);
    expect(at).toBe(80);
    writeEvent(v, at, 0, 0, 5n, 1);
    expect(v.getBigUint64(at, true)).toBe(0x1122334455667788n);
    expect(v.getUint16(at + 8, true)).toBe(0);
    expect(eventType(v, at)).toBe(EVENTTYPE_FD_READ);
    expect(v.getUint8(at + 11)).toBe(0);
    expect(v.getBigUint64(at + 16, true)).toBe(5n);
    expect(v.getUint16(at + 24, true)).toBe(1);
    expect([...new Uint8Array(v.buffer, at + 26, 6)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(v.getUint8(48)).toBe(0xff); // event 0 untouched
  });
});
