// The records poll_oneoff reads and writes (preview1's `subscription` and
// `event`), decoded and encoded in one place for every TypeScript host (the
// Node runtime's wait, file and socket layers, the browser host) from the
// layouts the ABI table generates, so no host carries its own offsets.

import {
  EVENT_ERROR_OFFSET, EVENT_FD_READWRITE_FLAGS_OFFSET, EVENT_FD_READWRITE_NBYTES_OFFSET, EVENT_FD_READWRITE_OFFSET,
  EVENT_SIZE, EVENT_TYPE_OFFSET, EVENT_USERDATA_OFFSET, EVENTTYPE_CLOCK, SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
  SUBSCRIPTION_CLOCK_ID_OFFSET, SUBSCRIPTION_CLOCK_TIMEOUT_OFFSET, SUBSCRIPTION_CLOCK_FLAGS_OFFSET,
  SUBSCRIPTION_FD_READWRITE_FILE_DESCRIPTOR_OFFSET, SUBSCRIPTION_SIZE, SUBSCRIPTION_U_TAG_OFFSET, SUBSCRIPTION_U_U_OFFSET,
  SUBSCRIPTION_USERDATA_OFFSET,
} from './preview1.generated.ts';

/** Address of subscription (or event, with EVENT_SIZE) `i` of an array at `base`. */
export const subscriptionAt = (base: number, i: number): number => base + i * SUBSCRIPTION_SIZE;
export const eventAt = (base: number, i: number): number => base + i * EVENT_SIZE;

/** The subscription's eventtype (EVENTTYPE_CLOCK, _FD_READ, _FD_WRITE). */
export const subscriptionTag = (v: DataView, sub: number): number => v.getUint8(sub + SUBSCRIPTION_U_TAG_OFFSET);

/** The fd of an FD_READ or FD_WRITE subscription. */
export const subscriptionFd = (v: DataView, sub: number): number =>
  v.getUint32(sub + SUBSCRIPTION_U_U_OFFSET + SUBSCRIPTION_FD_READWRITE_FILE_DESCRIPTOR_OFFSET, true);

export interface ClockSubscription {
  id: number;
  /** ns: relative to now, or a point on the clock when `absolute` */
  timeout: bigint;
  absolute: boolean;
}

/** The clock fields of a CLOCK subscription. */
export function subscriptionClock(v: DataView, sub: number): ClockSubscription {
  const clock = sub + SUBSCRIPTION_U_U_OFFSET;
  return {
    id: v.getUint32(clock + SUBSCRIPTION_CLOCK_ID_OFFSET, true),
    timeout: v.getBigUint64(clock + SUBSCRIPTION_CLOCK_TIMEOUT_OFFSET, true),
    absolute: (v.getUint16(clock + SUBSCRIPTION_CLOCK_FLAGS_OFFSET, true) & SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0,
  };
}

/** Writes a relative CLOCK subscription on clock `id` (zeroed first): what a host adds to make a lower poll return. */
export function writeClockSubscription(v: DataView, sub: number, userdata: bigint, id: number, timeout: bigint): void {
  new Uint8Array(v.buffer, v.byteOffset + sub, SUBSCRIPTION_SIZE).fill(0);
  v.setBigUint64(sub + SUBSCRIPTION_USERDATA_OFFSET, userdata, true);
  v.setUint8(sub + SUBSCRIPTION_U_TAG_OFFSET, EVENTTYPE_CLOCK);
  v.setUint32(sub + SUBSCRIPTION_U_U_OFFSET + SUBSCRIPTION_CLOCK_ID_OFFSET, id, true);
  v.setBigUint64(sub + SUBSCRIPTION_U_U_OFFSET + SUBSCRIPTION_CLOCK_TIMEOUT_OFFSET, timeout, true);
}

/** The eventtype of the event at `at`. */
export const eventType = (v: DataView, at: number): number => v.getUint8(at + EVENT_TYPE_OFFSET);

/**
 * Writes the event answering subscription `sub` at `at` (zeroed first): its
 * userdata and type, and for FD_READ/FD_WRITE the bytes ready and flags.
 */
export function writeEvent(v: DataView, at: number, sub: number, error: number, nbytes = 0n, flags = 0): void {
  const userdata = v.getBigUint64(sub + SUBSCRIPTION_USERDATA_OFFSET, true);
  const type = subscriptionTag(v, sub);
  new Uint8Array(v.buffer, v.byteOffset + at, EVENT_SIZE).fill(0);
  v.setBigUint64(at + EVENT_USERDATA_OFFSET, userdata, true);
  v.setUint16(at + EVENT_ERROR_OFFSET, error, true);
  v.setUint8(at + EVENT_TYPE_OFFSET, type);
  if (type === EVENTTYPE_CLOCK) return;
  v.setBigUint64(at + EVENT_FD_READWRITE_OFFSET + EVENT_FD_READWRITE_NBYTES_OFFSET, nbytes, true);
  v.setUint16(at + EVENT_FD_READWRITE_OFFSET + EVENT_FD_READWRITE_FLAGS_OFFSET, flags, true);
}
