// poll_oneoff where a subscription names a host-directory driver fd: a file
// or directory is always ready (as in the vfs and on Linux), so those events
// are answered at once and nothing waits; the other subscriptions (stdin,
// clocks) are left for the next call. Without such a subscription the lower
// host polls.

import { fstatSync } from 'node:fs';
import * as R from '@marcotte/abi';
import type { GuestMemory } from './guest-memory.ts';
import { errnoOf } from './host-errno.ts';
import type { HostTable } from './host-table.ts';

type Poll = (inPtr: number, out: number, n: number, nevents: number) => unknown;

export function pollFiles(t: HostTable, mem: GuestMemory, lower: Poll): Poll {
  return (inPtr, out, n, nevents) => {
    try {
      const events: Uint8Array[] = [];
      for (let i = 0; i < n >>> 0; i++) {
        const sub = mem.bytes(inPtr + i * R.SUBSCRIPTION_SIZE, R.SUBSCRIPTION_SIZE);
        const v = new DataView(sub.buffer, sub.byteOffset, sub.length);
        const tag = v.getUint8(R.SUBSCRIPTION_U_TAG_OFFSET);
        if (tag !== R.EVENTTYPE_FD_READ && tag !== R.EVENTTYPE_FD_WRITE) continue;
        const fd = v.getUint32(R.SUBSCRIPTION_U_U_OFFSET + R.SUBSCRIPTION_FD_READWRITE_FILE_DESCRIPTOR_OFFSET, true);
        if (!t.ours(fd)) continue;
        const h = t.get(fd);
        const e = new DataView(new ArrayBuffer(R.EVENT_SIZE));
        e.setBigUint64(R.EVENT_USERDATA_OFFSET, v.getBigUint64(R.SUBSCRIPTION_USERDATA_OFFSET, true), true);
        e.setUint8(R.EVENT_TYPE_OFFSET, tag);
        if (!h) e.setUint16(R.EVENT_ERROR_OFFSET, R.ERRNO_BADF, true);
        else if (tag === R.EVENTTYPE_FD_READ && !h.dir) {
          // What a read would find before the end of the file; a directory has nothing to read.
          const size = fstatSync(h.fd, { bigint: true }).size;
          e.setBigUint64(R.EVENT_FD_READWRITE_OFFSET + R.EVENT_FD_READWRITE_NBYTES_OFFSET, size > h.position ? size - h.position : 0n, true);
        }
        events.push(new Uint8Array(e.buffer));
      }
      if (events.length === 0) return lower(inPtr, out, n, nevents);
      events.forEach((e, i) => { mem.bytes(out + i * R.EVENT_SIZE, R.EVENT_SIZE).set(e); });
      mem.setU32(nevents, events.length);
      return R.ERRNO_SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  };
}
