// Stdio that blocks, as the box was promised. A program cannot make its
// stdio non-blocking (the host refuses fd_fdstat_set_flags there), so an
// EAGAIN from host fds 0-2 is never its own doing: the open file
// description is shared with other processes and with Node (libuv makes a
// pipe non-blocking when process.stdout is first touched, and uv_poll_init
// does it to any fd node:wasi polls, stdin and stdout included). node:wasi
// would pass EAGAIN on, and the bytes of that write were lost (`box run cat
// < big | slow-reader`). Here such a call waits until the fd is ready,
// through node:wasi's own poll_oneoff, then is made again.

import { ERRNO_AGAIN, ERRNO_SUCCESS, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE } from '@marcotte/abi';

type Fn = (...a: number[]) => number;

const SUBSCRIPTION = 48;
const EVENT = 32;
/** one subscription, its event and the event count, borrowed from the program's memory for the wait */
const SCRATCH = SUBSCRIPTION + EVENT + 4;

/**
 * fd_read on fd 0 and fd_write on fds 1 and 2 over node:wasi's, waiting
 * out EAGAIN. The subscription is written into
 * the first bytes of the program's memory and they are put back after the
 * poll: the program is inside this call, nothing else can read them.
 */
export function waitingStdio(host: Record<string, unknown>, memory: () => WebAssembly.Memory): Record<string, Fn> {
  const hostRead = host.fd_read as Fn;
  const hostWrite = host.fd_write as Fn;
  const hostPoll = host.poll_oneoff as Fn;

  /** Waits until `fd` is ready for `type`; false when the host cannot wait on it. */
  const ready = (fd: number, type: number): boolean => {
    const bytes = new Uint8Array(memory().buffer);
    if (bytes.length < SCRATCH) return false;
    const saved = bytes.slice(0, SCRATCH);
    try {
      bytes.fill(0, 0, SCRATCH);
      const view = new DataView(bytes.buffer);
      view.setUint8(8, type);
      view.setUint32(16, fd, true);
      // The event's own error (node:wasi could not watch the fd) ends the wait too: EAGAIN goes to the program.
      return hostPoll(0, SUBSCRIPTION, 1, SUBSCRIPTION + EVENT) === ERRNO_SUCCESS &&
        view.getUint32(SUBSCRIPTION + EVENT, true) === 1 && view.getUint16(SUBSCRIPTION + 8, true) === ERRNO_SUCCESS;
    } finally {
      new Uint8Array(memory().buffer).set(saved, 0);
    }
  };

  const waiting = (call: Fn, type: number): Fn => (fd, ...rest) => {
    for (;;) {
      const err = call(fd, ...rest);
      if (err !== ERRNO_AGAIN || !ready(fd, type)) return err;
    }
  };
  const read = waiting(hostRead, EVENTTYPE_FD_READ);
  const write = waiting(hostWrite, EVENTTYPE_FD_WRITE);
  return {
    fd_read: (fd, ...rest) => (fd === 0 ? read(fd, ...rest) : hostRead(fd, ...rest)),
    fd_write: (fd, ...rest) => (fd === 1 || fd === 2 ? write(fd, ...rest) : hostWrite(fd, ...rest)),
  };
}
