// An image from a host directory (Node only; the image format is in image.ts).

import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageEntry } from '@marcotte/abi';
import { compareBytes } from './image.ts';

const utf8 = new TextEncoder();

/** Reads a host directory recursively (names sorted, symlinks kept as symlinks, hard links kept) as image entries. */
export function imageFromDirectory(root: string): ImageEntry[] {
  const out: ImageEntry[] = [];
  // Host hard links share one data object, which encodeImage turns into one file.
  const seen = new Map<string, Uint8Array>();
  const walk = (host: string, path: string): void => {
    const st = lstatSync(host, { bigint: true });
    const mode = Number(st.mode & 0o7777n);
    const mtime = st.mtimeNs;
    if (st.isDirectory()) {
      out.push({ path, type: 'dir', mode, mtime });
      const names = readdirSync(host).sort((a, b) => compareBytes(utf8.encode(a), utf8.encode(b)));
      for (const name of names) walk(join(host, name), path === '/' ? `/${name}` : `${path}/${name}`);
    } else if (st.isSymbolicLink()) {
      out.push({ path, type: 'symlink', target: readlinkSync(host), mode, mtime });
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      let data = st.nlink > 1n ? seen.get(key) : undefined;
      if (!data) {
        data = new Uint8Array(readFileSync(host));
        if (st.nlink > 1n) seen.set(key, data);
      }
      out.push({ path, type: 'file', data, mode, mtime });
    } else {
      throw new Error(`cannot put ${host} in an image: only files, directories and symlinks are supported`);
    }
  };
  walk(root, '/');
  return out;
}
