import { describe, expect, it } from 'vitest';
import {
  ERRNO_AGAIN, ERRNO_BADF, ERRNO_INVAL, ERRNO_NOTCONN, ERRNO_NOTDIR, ERRNO_NOTSOCK, ERRNO_PIPE, ERRNO_SPIPE, ERRNO_SUCCESS,
  FDFLAGS_NONBLOCK, FILETYPE_SOCKET_STREAM, RIFLAGS_RECV_PEEK, RIFLAGS_RECV_WAITALL, SDFLAGS_RD, SDFLAGS_WR,
} from '@marcotte/abi';
import { netHarness, type HostFn } from '../test/harness.ts';

const IOVS = 100;
const RESULT = 200;
const RO_FLAGS = 208;
const BUF = 1000;

/** A host whose listeners accept connections as host fds 50, 51, ... and whose connections send "abc" at a time. */
function streamingHost(): Record<string, HostFn> {
  let next = 50;
  const feed = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz');
  let at = 0;
  return {
    sock_accept: (v, _fd, _flags, ro) => {
      v.setUint32(Number(ro), next++, true);
      return ERRNO_SUCCESS;
    },
    sock_recv: (v, _fd, iovs, _count, _flags, roLen) => {
      const buf = v.getUint32(Number(iovs), true);
      const len = v.getUint32(Number(iovs) + 4, true);
      const n = Math.min(3, len, feed.length - at);
      new Uint8Array(v.buffer).set(feed.subarray(at, at + n), buf);
      at += n;
      v.setUint32(Number(roLen), n, true);
      return ERRNO_SUCCESS;
    },
    sock_send: (v, _fd, _iovs, _count, _flags, soLen) => {
      v.setUint32(Number(soLen), 7, true);
      return ERRNO_SUCCESS;
    },
    sock_shutdown: () => ERRNO_SUCCESS,
    fd_fdstat_set_flags: () => ERRNO_SUCCESS,
  };
}

function iovec(v: DataView, buf: number, len: number): void {
  v.setUint32(IOVS, buf, true);
  v.setUint32(IOVS + 4, len, true);
}

describe('net driver behind the kernel', () => {
  it('gives the host listening sockets the fds after the directories, one per --listen port', async () => {
    const h = await netHarness({ listen: [8080, 8081], sockets: 3, host: streamingHost() });
    expect(h.kernel.fd_fdstat_get!(3, RESULT)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint8(RESULT)).toBe(FILETYPE_SOCKET_STREAM);
    expect(h.kernel.fd_fdstat_get!(4, RESULT)).toBe(ERRNO_SUCCESS);
    // a third host socket is not a declared port: the box does not see it
    expect(h.kernel.fd_fdstat_get!(5, RESULT)).toBe(ERRNO_BADF);
    // wasi-libc's preopen scan stops at the sockets
    expect(h.kernel.fd_prestat_get!(3, RESULT)).toBe(ERRNO_BADF);
  });

  it('accepts connections as new fds and passes the host fd, never the box fd', async () => {
    const h = await netHarness({ listen: [8080], host: streamingHost() });
    expect(h.kernel.sock_accept!(3, 0, RESULT)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(RESULT, true)).toBe(4);
    expect(h.callsOf('sock_accept')[0]!.args[0]).toBe(3);
    expect(h.kernel.sock_accept!(3, 0, RESULT)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(RESULT, true)).toBe(5);
    iovec(h.view, BUF, 16);
    expect(h.kernel.sock_send!(5, IOVS, 1, 0, RESULT)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('sock_send')[0]!.args[0]).toBe(51);
    expect(h.kernel.fd_close!(5)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('fd_close').map((c) => c.args[0])).toEqual([51]);
  });

  it('answers the wrong kind of socket as Linux does', async () => {
    const h = await netHarness({ listen: [8080], host: streamingHost() });
    iovec(h.view, BUF, 16);
    // a listener has no peer
    expect(h.kernel.sock_recv!(3, IOVS, 1, 0, RESULT, RO_FLAGS)).toBe(ERRNO_NOTCONN);
    expect(h.kernel.sock_send!(3, IOVS, 1, 0, RESULT)).toBe(ERRNO_NOTCONN);
    expect(h.kernel.sock_accept!(3, 0xff, RESULT)).toBe(ERRNO_INVAL);
    h.kernel.sock_accept!(3, 0, RESULT);
    // a connection does not accept, seek or resolve paths
    expect(h.kernel.sock_accept!(4, 0, RESULT)).toBe(ERRNO_INVAL);
    expect(h.kernel.fd_seek!(4, 0n, 0, RESULT)).toBe(ERRNO_SPIPE);
    expect(h.kernel.fd_sync!(4)).toBe(ERRNO_INVAL);
    expect(h.kernel.fd_filestat_set_size!(4, 0n)).toBe(ERRNO_INVAL);
    expect(h.kernel.path_open!(4, 0, BUF, 1, 0, 0n, 0n, 0, RESULT)).toBe(ERRNO_NOTDIR);
    expect(h.kernel.sock_shutdown!(4, 0)).toBe(ERRNO_INVAL);
    expect(h.kernel.sock_recv!(9, IOVS, 1, 0, RESULT, RO_FLAGS)).toBe(ERRNO_BADF);
  });

  it('answers ENOTSOCK on stdio whatever the host says, without asking it', async () => {
    for (const listen of [[8080], undefined]) {
      const h = await netHarness({ listen, host: { ...streamingHost(), sock_shutdown: () => ERRNO_SUCCESS } });
      iovec(h.view, BUF, 16);
      expect(h.kernel.sock_shutdown!(1, SDFLAGS_WR)).toBe(ERRNO_NOTSOCK);
      expect(h.kernel.sock_recv!(0, IOVS, 1, 0, RESULT, RO_FLAGS)).toBe(ERRNO_NOTSOCK);
      expect(h.kernel.sock_send!(2, IOVS, 1, 0, RESULT)).toBe(ERRNO_NOTSOCK);
      expect(h.kernel.sock_accept!(0, 0, RESULT)).toBe(ERRNO_NOTSOCK);
      expect(h.callsOf('sock_shutdown')).toEqual([]);
    }
  });

  it('RECV_WAITALL fills the buffers over several host reads and puts the iovec back', async () => {
    const h = await netHarness({ listen: [8080], host: streamingHost() });
    h.kernel.sock_accept!(3, 0, RESULT);
    iovec(h.view, BUF, 8);
    expect(h.kernel.sock_recv!(4, IOVS, 1, RIFLAGS_RECV_WAITALL, RESULT, RO_FLAGS)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(RESULT, true)).toBe(8);
    expect(new TextDecoder().decode(h.bytes.subarray(BUF, BUF + 8))).toBe('abcdefgh');
    expect(h.callsOf('sock_recv')).toHaveLength(3);
    expect([h.view.getUint32(IOVS, true), h.view.getUint32(IOVS + 4, true)]).toEqual([BUF, 8]);
    // without WAITALL one host read is one answer
    expect(h.kernel.sock_recv!(4, IOVS, 1, 0, RESULT, RO_FLAGS)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(RESULT, true)).toBe(3);
  });

  it('passes RECV_PEEK to the host', async () => {
    const h = await netHarness({ listen: [8080], host: streamingHost() });
    h.kernel.sock_accept!(3, 0, RESULT);
    iovec(h.view, BUF, 8);
    expect(h.kernel.sock_recv!(4, IOVS, 1, RIFLAGS_RECV_PEEK | RIFLAGS_RECV_WAITALL, RESULT, RO_FLAGS)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('sock_recv')[0]!.args[3]).toBe(RIFLAGS_RECV_PEEK);
  });

  it('remembers shutdown: reads end, writes answer EPIPE', async () => {
    const h = await netHarness({ listen: [8080], host: streamingHost() });
    h.kernel.sock_accept!(3, 0, RESULT);
    iovec(h.view, BUF, 8);
    expect(h.kernel.sock_shutdown!(4, SDFLAGS_RD)).toBe(ERRNO_SUCCESS);
    h.view.setUint32(RESULT, 99, true);
    expect(h.kernel.sock_recv!(4, IOVS, 1, 0, RESULT, RO_FLAGS)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(RESULT, true)).toBe(0);
    expect(h.kernel.sock_shutdown!(4, SDFLAGS_WR)).toBe(ERRNO_SUCCESS);
    expect(h.kernel.sock_send!(4, IOVS, 1, 0, RESULT)).toBe(ERRNO_PIPE);
    expect(h.kernel.fd_write!(4, IOVS, 1, RESULT)).toBe(ERRNO_PIPE);
    expect(h.callsOf('sock_recv')).toEqual([]);
    expect(h.callsOf('sock_shutdown').map((c) => c.args)).toEqual([[50, SDFLAGS_RD], [50, SDFLAGS_WR]]);
  });

  it('forwards NONBLOCK to the host and reports it in fdstat', async () => {
    const h = await netHarness({ listen: [8080], host: streamingHost() });
    expect(h.kernel.fd_fdstat_set_flags!(3, FDFLAGS_NONBLOCK)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('fd_fdstat_set_flags')[0]!.args).toEqual([3, FDFLAGS_NONBLOCK]);
    expect(h.kernel.fd_fdstat_get!(3, RESULT)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint16(RESULT + 2, true)).toBe(FDFLAGS_NONBLOCK);
    expect(h.kernel.fd_fdstat_set_flags!(3, 1)).toBe(ERRNO_INVAL);
  });

  it('without net, the kernel passes sock_* through to the host sockets after the directories', async () => {
    const h = await netHarness({ sockets: 1, host: streamingHost() });
    expect(h.kernel.sock_accept!(3, 0, RESULT)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(RESULT, true)).toBe(4);
    iovec(h.view, BUF, 8);
    expect(h.kernel.sock_recv!(4, IOVS, 1, 0, RESULT, RO_FLAGS)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('sock_recv')[0]!.args[0]).toBe(50);
  });

  it('numbers sockets after the directories also when the host puts them first (wasmtime --tcplisten)', async () => {
    // host fd 3: a listening socket; host fds 4 and 5: directories
    const layout: Record<string, HostFn> = {
      fd_prestat_get: (v, fd, buf) => {
        if (Number(fd) !== 4 && Number(fd) !== 5) return ERRNO_BADF;
        v.setUint8(Number(buf), 0);
        v.setUint32(Number(buf) + 4, 2, true);
        return ERRNO_SUCCESS;
      },
      fd_fdstat_get: (v, fd, buf) => {
        const n = Number(fd);
        if (n > 5 && n < 50) return ERRNO_BADF;
        v.setUint8(Number(buf), n === 3 || n >= 50 ? FILETYPE_SOCKET_STREAM : 3);
        return ERRNO_SUCCESS;
      },
    };
    for (const listen of [[8080], undefined]) {
      const h = await netHarness({ listen, host: { ...streamingHost(), ...layout } });
      expect(h.kernel.fd_prestat_get!(3, RESULT)).toBe(ERRNO_SUCCESS);
      expect(h.kernel.fd_prestat_get!(4, RESULT)).toBe(ERRNO_SUCCESS);
      expect(h.kernel.fd_prestat_get!(5, RESULT)).toBe(ERRNO_BADF);
      expect(h.kernel.sock_accept!(5, 0, RESULT)).toBe(ERRNO_SUCCESS);
      expect(h.callsOf('sock_accept')[0]!.args[0]).toBe(3);
    }
  });

  it('waits in the host poll when a host that keeps its sockets non-blocking answers EAGAIN, unless the fd is NONBLOCK', async () => {
    let pending = 1;
    let polled: number[] = [];
    const h = await netHarness({
      listen: [8080],
      host: {
        ...streamingHost(),
        sock_accept: (v, _fd, _flags, ro) => {
          if (pending-- > 0) return ERRNO_AGAIN;
          v.setUint32(Number(ro), 50, true);
          return ERRNO_SUCCESS;
        },
        poll_oneoff: (v, inPtr, _out, n, nevents) => {
          polled = [Number(n), v.getUint8(Number(inPtr) + 8), v.getUint32(Number(inPtr) + 16, true)];
          v.setUint32(Number(nevents), 1, true);
          return ERRNO_SUCCESS;
        },
      },
    });
    h.bytes.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    expect(h.kernel.sock_accept!(3, 0, RESULT)).toBe(ERRNO_SUCCESS);
    expect(polled).toEqual([1, 1, 3]);
    expect(h.callsOf('sock_accept')).toHaveLength(2);
    // the borrowed start of the app memory is put back
    expect([...h.bytes.subarray(0, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    pending = 1;
    h.kernel.fd_fdstat_set_flags!(3, FDFLAGS_NONBLOCK);
    expect(h.kernel.sock_accept!(3, 0, RESULT)).toBe(ERRNO_AGAIN);
    expect(h.callsOf('poll_oneoff')).toHaveLength(1);
  });
});
