// Runs vfs.wasm on its own, wired in JavaScript: box:app over a test app
// memory, box:config from encodeImage, a fixed box:clock. Helpers place
// strings and iovecs in the app memory and decode what the driver wrote.

import type { ImageEntry } from '@marcotte/abi';
import { FILETYPE_DIRECTORY, LOOKUPFLAGS_SYMLINK_FOLLOW, RIGHTS_FD_READ, boxAppImports, boxConfigImports } from '@marcotte/abi';
import {
  DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_HANDLES, DEFAULT_MAX_PATH, DEFAULT_QUOTA, encodeImage, IMAGE_ENTRY_SIZE, IMAGE_HEADER_SIZE,
  IMAGE_MAGIC, IMAGE_VERSION, type ImageOptions,
} from '../src/image.ts';
import { takeSnapshotBytes } from '../src/snapshot.ts';
import { wasm } from '../src/wasm.ts';

export const NOW = 1_700_000_000_000_000_000n;

// Fixed areas of the app memory.
const PATH_A = 0x1000;
const PATH_B = 0x3000;
const IOVS = 0x5000;
const OUT = 0x6000;
const BUF = 0x10000;
export const BUF_SIZE = 0x30000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Stat {
  dev: bigint; ino: bigint; filetype: number; nlink: bigint; size: bigint; atim: bigint; mtim: bigint; ctim: bigint;
}

export interface Dirent { next: bigint; ino: bigint; type: number; name: string }

type Fn = (...args: (number | bigint)[]) => number;

/** `hostPages`: the host's cap on the vfs memory (box run --memory), given through memory_limit before the first call. */
export async function vfsHarness(entries: readonly ImageEntry[] | Uint8Array[] = [], options: ImageOptions = {}, clock: () => bigint = () => NOW, hostPages?: number) {
  // Segments as they are (a crafted image), or entries to encode.
  const segments = entries[0] instanceof Uint8Array ? entries as Uint8Array[] : encodeImage(entries as ImageEntry[], options);
  const module = await WebAssembly.compile(wasm() as Uint8Array<ArrayBuffer>);
  const app = new WebAssembly.Memory({ initial: 4 });
  let memory: WebAssembly.Memory | undefined;
  const configCopies: number[][] = [];
  const config = boxConfigImports(segments, () => memory!);
  const instance = await WebAssembly.instantiate(module, {
    'box:app': boxAppImports(() => app, () => memory!),
    'box:config': {
      size: config.size,
      copy: (segment: number, dst: number, offset: number, len: number) => {
        configCopies.push([segment, offset, len]);
        (config.copy as (...a: number[]) => void)(segment, dst, offset, len);
      },
    },
    'box:clock': { realtime: clock },
  } as WebAssembly.Imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  const e = instance.exports as unknown as Record<string, Fn>;
  const view = () => new DataView(app.buffer);
  const bytes = () => new Uint8Array(app.buffer);
  const put = (at: number, s: string | Uint8Array): [number, number] => {
    const b = typeof s === 'string' ? encoder.encode(s) : s;
    bytes().set(b, at);
    return [at, b.length];
  };
  if (hostPages !== undefined) e.memory_limit!(hostPages);
  const count = e.preopen_count!();
  const root = e.preopen!(0);

  const h = {
    e, app, view, segments, configCopies, root, preopens: count,
    vfsMemoryBytes: () => memory!.buffer.byteLength,
    /** the snapshot export's bytes, copied out of the vfs memory */
    snapshot: () => takeSnapshotBytes(instance.exports, memory!),
    open(path: string, o: { oflags?: number; fdflags?: number; follow?: boolean; dir?: number; rights?: bigint } = {}): number {
      return e.path_open!(o.dir ?? root, o.follow === false ? 0 : LOOKUPFLAGS_SYMLINK_FOLLOW, ...put(PATH_A, path), o.oflags ?? 0,
        o.rights ?? RIGHTS_FD_READ, 0n, o.fdflags ?? 0);
    },
    /** [errno, bytes written] */
    write(handle: number, data: string | Uint8Array, offset?: bigint): [number, number] {
      const [ptr, len] = put(BUF, data);
      view().setUint32(IOVS, ptr, true);
      view().setUint32(IOVS + 4, len, true);
      const err = offset === undefined ? e.fd_write!(handle, IOVS, 1, OUT) : e.fd_pwrite!(handle, IOVS, 1, offset, OUT);
      return [err, err === 0 ? view().getUint32(OUT, true) : -1];
    },
    /** reads into several iovecs of the given sizes: [errno, bytes] */
    read(handle: number, sizes: number[] = [BUF_SIZE], offset?: bigint): [number, Uint8Array] {
      let at = BUF;
      sizes.forEach((n, i) => {
        view().setUint32(IOVS + 8 * i, at, true);
        view().setUint32(IOVS + 8 * i + 4, n, true);
        at += n;
      });
      bytes().fill(0xee, BUF, at);
      const err = offset === undefined ? e.fd_read!(handle, IOVS, sizes.length, OUT) : e.fd_pread!(handle, IOVS, sizes.length, offset, OUT);
      const n = err === 0 ? view().getUint32(OUT, true) : 0;
      return [err, bytes().slice(BUF, BUF + n)];
    },
    readText(handle: number): string {
      return decoder.decode(h.read(handle)[1]);
    },
    seek(handle: number, offset: bigint, whence: number): [number, bigint] {
      const err = e.fd_seek!(handle, offset, whence, OUT);
      return [err, err === 0 ? view().getBigUint64(OUT, true) : -1n];
    },
    decodeStat(at: number): Stat {
      const v = view();
      return {
        dev: v.getBigUint64(at, true), ino: v.getBigUint64(at + 8, true), filetype: v.getUint8(at + 16),
        nlink: v.getBigUint64(at + 24, true), size: v.getBigUint64(at + 32, true), atim: v.getBigUint64(at + 40, true),
        mtim: v.getBigUint64(at + 48, true), ctim: v.getBigUint64(at + 56, true),
      };
    },
    stat(path: string, follow = true, dir = root): Stat | number {
      const err = e.path_filestat_get!(dir, follow ? LOOKUPFLAGS_SYMLINK_FOLLOW : 0, ...put(PATH_A, path), OUT);
      return err === 0 ? h.decodeStat(OUT) : err;
    },
    fstat(handle: number): Stat | number {
      const err = e.fd_filestat_get!(handle, OUT);
      return err === 0 ? h.decodeStat(OUT) : err;
    },
    mkdir: (path: string, dir = root) => e.path_create_directory!(dir, ...put(PATH_A, path)),
    rmdir: (path: string, dir = root) => e.path_remove_directory!(dir, ...put(PATH_A, path)),
    unlink: (path: string, dir = root) => e.path_unlink_file!(dir, ...put(PATH_A, path)),
    symlink: (target: string, path: string, dir = root) => e.path_symlink!(...put(PATH_B, target), dir, ...put(PATH_A, path)),
    link: (from: string, to: string, follow = false, toDir = root) =>
      e.path_link!(root, follow ? LOOKUPFLAGS_SYMLINK_FOLLOW : 0, ...put(PATH_A, from), toDir, ...put(PATH_B, to)),
    rename: (from: string, to: string) => e.path_rename!(root, ...put(PATH_A, from), root, ...put(PATH_B, to)),
    readlink(path: string, bufLen = 256): [number, string] {
      const err = e.path_readlink!(root, ...put(PATH_A, path), BUF, bufLen, OUT);
      return [err, err === 0 ? decoder.decode(bytes().slice(BUF, BUF + view().getUint32(OUT, true))) : ''];
    },
    /** one fd_readdir call: the entries that fit whole, and bufused */
    readdir(handle: number, cookie = 0n, bufLen = 4096): { err: number; used: number; entries: Dirent[] } {
      bytes().fill(0xee, BUF, BUF + bufLen);
      const err = e.fd_readdir!(handle, BUF, bufLen, cookie, OUT);
      const used = err === 0 ? view().getUint32(OUT, true) : 0;
      const entries: Dirent[] = [];
      for (let at = BUF; at + 24 <= BUF + used; ) {
        const v = view();
        const namlen = v.getUint32(at + 16, true);
        if (at + 24 + namlen > BUF + used) break;
        entries.push({
          next: v.getBigUint64(at, true), ino: v.getBigUint64(at + 8, true), type: v.getUint8(at + 20),
          name: decoder.decode(bytes().slice(at + 24, at + 24 + namlen)),
        });
        at += 24 + namlen;
      }
      return { err, used, entries };
    },
    /** all names through repeated fd_readdir calls */
    list(handle: number, bufLen = 4096): string[] {
      const names: string[] = [];
      let cookie = 0n;
      for (;;) {
        const r = h.readdir(handle, cookie, bufLen);
        if (r.err !== 0) throw new Error(`readdir errno ${r.err}`);
        for (const d of r.entries) names.push(d.name);
        if (r.used < bufLen) return names;
        cookie = r.entries.at(-1)!.next;
      }
    },
  };
  return h;
}

export type Harness = Awaited<ReturnType<typeof vfsHarness>>;

export const file = (path: string, text: string, extra: Partial<ImageEntry> = {}): ImageEntry =>
  ({ path, type: 'file', data: encoder.encode(text), ...extra });
export const dir = (path: string): ImageEntry => ({ path, type: 'dir' });
export const symlink = (path: string, target: string): ImageEntry => ({ path, type: 'symlink', target });

/**
 * The whole tree as path -> description ("dir mode", "file mode <bytes>
 * [=first path of the same inode]", "symlink -> target"), read through the
 * driver: what two instances must agree on.
 */
export function treeOf(h: Harness, withMeta = true): Map<string, string> {
  const out = new Map<string, string>();
  const inodes = new Map<bigint, string>();
  const walk = (path: string): void => {
    const d = h.open(path, { oflags: 2 /* OFLAGS_DIRECTORY */, follow: false });
    if (d < 0) throw new Error(`open ${path}: ${-d}`);
    const names = h.list(d).filter((n) => n !== '.' && n !== '..').sort();
    h.e.fd_close!(d);
    for (const name of names) {
      const child = path === '.' ? name : `${path}/${name}`;
      const st = h.stat(child, false);
      if (typeof st === 'number') throw new Error(`stat ${child}: ${st}`);
      const meta = withMeta ? ` mtim=${st.mtim}` : '';
      if (st.filetype === 3) {
        out.set(child, `dir${meta}`);
        walk(child);
      } else if (st.filetype === 7) {
        out.set(child, `symlink -> ${h.readlink(child, 65536)[1]}${meta}`);
      } else {
        const first = inodes.get(st.ino);
        if (first === undefined) inodes.set(st.ino, child);
        const f = h.open(child, { follow: false });
        const bytes = h.read(f)[1];
        h.e.fd_close!(f);
        out.set(child, `file ${Buffer.from(bytes).toString('hex')} nlink=${st.nlink}${first ? ` =${first}` : ''}${meta}`);
      }
    }
  };
  walk('.');
  return out;
}

/**
 * Image segments of a chain of `depth` directories, each named "d" (all
 * names share one string), written directly: what `box run --commit` made
 * of a program nesting that deep before the vfs bounded every node's path,
 * and what a forged box can still carry (issue 16, finding 10).
 */
export function deepChainImage(depth: number): Uint8Array[] {
  const count = depth + 1;
  const strings = IMAGE_HEADER_SIZE + count * IMAGE_ENTRY_SIZE;
  const index = new Uint8Array(strings + 1);
  const v = new DataView(index.buffer);
  v.setUint32(0, IMAGE_MAGIC, true);
  v.setUint32(4, IMAGE_VERSION, true);
  v.setUint32(8, count, true);
  v.setUint32(12, strings, true);
  v.setBigUint64(16, BigInt(DEFAULT_QUOTA), true);
  v.setBigUint64(40, BigInt(DEFAULT_MAX_FILE_SIZE), true);
  v.setUint32(48, DEFAULT_MAX_PATH, true);
  v.setUint32(52, DEFAULT_MAX_HANDLES, true);
  for (let i = 0; i < count; i++) {
    const at = IMAGE_HEADER_SIZE + i * IMAGE_ENTRY_SIZE;
    v.setUint8(at, FILETYPE_DIRECTORY);
    v.setUint16(at + 2, 0o755, true);
    v.setUint32(at + 8, i === 0 ? 0 : 1, true);
    if (i < depth) {
      v.setUint32(at + 12, i + 1, true);
      v.setUint32(at + 16, 1, true);
    }
  }
  index[strings] = 0x64; // "d"
  return [index, new Uint8Array(0)];
}
