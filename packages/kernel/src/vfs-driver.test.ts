import { describe, expect, it } from 'vitest';
import {
  ERRNO_BADF, ERRNO_ISDIR, ERRNO_NAMETOOLONG, ERRNO_NOBUFS, ERRNO_NOENT, ERRNO_NOTSOCK, ERRNO_SUCCESS, ERRNO_XDEV,
  EVENTTYPE_FD_READ, FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, OFLAGS_DIRECTORY, PREOPENTYPE_DIR, RIGHTS_FD_READ,
  RIGHTS_FD_READDIR, RIGHTS_FD_SEEK, RIGHTS_FD_TELL, RIGHTS_FD_WRITE, RIGHTS_PATH_OPEN, WHENCE_SET, type ImageEntry,
} from '@marcotte/abi';
import { kernelHarness } from '../test/harness.ts';

const text = new TextEncoder();
const image: ImageEntry[] = [
  { path: '/etc', type: 'dir' },
  { path: '/etc/motd', type: 'file', data: text.encode('boxes all the way down\n') },
  { path: '/srv', type: 'dir' },
];

async function setup(workdir?: string, preopens = 1, mounts = ['/mnt0']) {
  const h = await kernelHarness({ preopens, image, mounts, workdir });
  const put = (at: number, s: string) => {
    const b = text.encode(s);
    new Uint8Array(h.app.buffer).set(b, at);
    return b.length;
  };
  const prestatName = (fd: number) => {
    if (h.kernel.fd_prestat_get!(fd, 100) !== ERRNO_SUCCESS) return undefined;
    expect(h.view.getUint8(100)).toBe(PREOPENTYPE_DIR);
    const len = h.view.getUint32(104, true);
    expect(h.kernel.fd_prestat_dir_name!(fd, 200, len)).toBe(ERRNO_SUCCESS);
    return new TextDecoder().decode(new Uint8Array(h.app.buffer, 200, len));
  };
  const open = (dir: number, path: string): [number, number] => {
    const len = put(1000, path);
    const err = h.kernel.path_open!(dir, 1, 1000, len, 0, -1n, -1n, 0, 2000);
    return [err, h.view.getUint32(2000, true)];
  };
  return { ...h, put, prestatName, open };
}

describe('kernel with the vfs driver', () => {
  it('numbers preopens: / from the vfs (whatever the working directory), then the host\'s', async () => {
    const h = await setup('/srv');
    expect(h.prestatName(3)).toBe('/');
    // the host's preopen (host fd 3) follows; the scripted host names it with 4 bytes
    expect(h.kernel.fd_prestat_get!(4, 100)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('fd_prestat_get').map((c) => c.args[0])).toEqual([3]);
    expect(h.kernel.fd_prestat_get!(5, 100)).toBe(ERRNO_BADF);
  });

  it('lets host preopens in only at mount points declared at link time', async () => {
    const h = await setup(undefined, 3, ['/mnt2', '/mnt0/']);
    expect(h.prestatName(3)).toBe('/');
    expect(h.prestatName(4)).toBe('/mnt0');
    expect(h.prestatName(5)).toBe('/mnt2');
    // the host's /mnt1 is not a mount point: it never got a box fd
    expect(h.prestatName(6)).toBeUndefined();
    const none = await setup(undefined, 2, []);
    expect(none.prestatName(4)).toBeUndefined();
  });

  it('opens and reads a vfs file through the fd table, with the table\'s rights', async () => {
    const h = await setup();
    const [err, fd] = h.open(3, 'etc/motd');
    expect(err).toBe(ERRNO_SUCCESS);
    expect(fd).toBe(5); // 3 is /, 4 the host preopen
    h.view.setUint32(3000, 4000, true);
    h.view.setUint32(3004, 64, true);
    expect(h.kernel.fd_read!(fd, 3000, 1, 3008)).toBe(ERRNO_SUCCESS);
    const n = h.view.getUint32(3008, true);
    expect(new TextDecoder().decode(new Uint8Array(h.app.buffer, 4000, n))).toBe('boxes all the way down\n');
    expect(h.kernel.fd_fdstat_set_rights!(fd, RIGHTS_FD_READ, 0n)).toBe(ERRNO_SUCCESS);
    expect(h.kernel.fd_fdstat_get!(fd, 5000)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint8(5000)).toBe(FILETYPE_REGULAR_FILE);
    expect(h.view.getBigUint64(5008, true)).toBe(RIGHTS_FD_READ);
    expect(h.callsOf('fd_read')).toHaveLength(0); // the host never saw it
    expect(h.kernel.fd_close!(fd)).toBe(ERRNO_SUCCESS);
    expect(h.kernel.fd_read!(fd, 3000, 1, 3008)).toBe(ERRNO_BADF);
  });

  it('reports a directory\'s rights without file-data rights, so that it reopens with them (wasi-testsuite path_open_preopen, directory_seek)', async () => {
    const h = await setup();
    const fdstat = (fd: number) => {
      expect(h.kernel.fd_fdstat_get!(fd, 5000)).toBe(ERRNO_SUCCESS);
      return { type: h.view.getUint8(5000), base: h.view.getBigUint64(5008, true), inheriting: h.view.getBigUint64(5016, true) };
    };
    const data = RIGHTS_FD_READ | RIGHTS_FD_WRITE | RIGHTS_FD_SEEK | RIGHTS_FD_TELL;
    const root = fdstat(3);
    expect(root.type).toBe(FILETYPE_DIRECTORY);
    expect(root.base & data).toBe(0n);
    expect(root.base & (RIGHTS_PATH_OPEN | RIGHTS_FD_READDIR)).toBe(RIGHTS_PATH_OPEN | RIGHTS_FD_READDIR);
    expect(root.inheriting & data).toBe(data); // what is opened beneath may still read, write and seek
    // Reopening the directory with exactly what fd_fdstat_get gave succeeds ...
    const dot = h.put(1000, '.');
    expect(h.kernel.path_open!(3, 0, 1000, dot, 0, root.base, root.inheriting, 0, 2000)).toBe(ERRNO_SUCCESS);
    // ... while the write right opens for writing, which a directory refuses, O_DIRECTORY or not.
    expect(h.kernel.path_open!(3, 0, 1000, dot, OFLAGS_DIRECTORY, RIGHTS_FD_READ | RIGHTS_FD_WRITE, 0n, 0, 2000)).toBe(ERRNO_ISDIR);
    // A directory opened asking for the seek right does not report it; seeking it answers EBADF
    // (the vfs, as wasmtime: the right is held, the directory has no position).
    const srv = h.put(1000, 'srv');
    expect(h.kernel.path_open!(3, 0, 1000, srv, OFLAGS_DIRECTORY, RIGHTS_FD_SEEK, 0n, 0, 2000)).toBe(ERRNO_SUCCESS);
    const fd = h.view.getUint32(2000, true);
    expect(fdstat(fd)).toMatchObject({ type: FILETYPE_DIRECTORY, base: 0n });
    expect(h.kernel.fd_seek!(fd, 0n, WHENCE_SET, 2100)).toBe(ERRNO_BADF);
  });

  it('answers ENAMETOOLONG for a preopen name longer than the buffer, whichever driver serves it', async () => {
    // node:wasi answers ENOBUFS; the kernel gives the vfs's (and wasmtime's) answer for both.
    const h = await kernelHarness({
      preopens: 1, image, mounts: ['/mnt0'],
      host: {
        fd_prestat_dir_name: (app: DataView, _fd: number | bigint, path: number | bigint, len: number | bigint) => {
          if (Number(len) < 5) return ERRNO_NOBUFS;
          new Uint8Array(app.buffer, Number(path), 5).set(text.encode('/mnt0'));
          return ERRNO_SUCCESS;
        },
      },
    });
    expect(h.kernel.fd_prestat_dir_name!(3, 200, 0)).toBe(ERRNO_NAMETOOLONG);
    expect(h.kernel.fd_prestat_dir_name!(4, 200, 4)).toBe(ERRNO_NAMETOOLONG);
    expect(h.kernel.fd_prestat_dir_name!(4, 200, 5)).toBe(ERRNO_SUCCESS);
  });

  it('answers the driver\'s errors, ENOTSOCK for sockets calls and EXDEV across drivers', async () => {
    const h = await setup();
    expect(h.open(3, 'etc/nothing')[0]).toBe(ERRNO_NOENT);
    expect(h.kernel.sock_shutdown!(3, 0)).toBe(ERRNO_NOTSOCK);
    const a = h.put(1000, 'etc/motd');
    const b = h.put(1100, 'motd');
    expect(h.kernel.path_rename!(3, 1000, a, 4, 1100, b)).toBe(ERRNO_XDEV);
  });

  it('reports vfs files ready at once in poll_oneoff', async () => {
    const h = await setup();
    const [, fd] = h.open(3, 'etc/motd');
    h.view.setBigUint64(6000, 9n, true);
    h.view.setUint8(6008, EVENTTYPE_FD_READ);
    h.view.setUint32(6016, fd, true);
    expect(h.kernel.poll_oneoff!(6000, 7000, 1, 7100)).toBe(ERRNO_SUCCESS);
    expect(h.view.getUint32(7100, true)).toBe(1);
    expect(h.view.getBigUint64(7000, true)).toBe(9n);
    expect(h.view.getUint16(7008, true)).toBe(ERRNO_SUCCESS);
    expect(h.callsOf('poll_oneoff')).toHaveLength(0);
  });
});
