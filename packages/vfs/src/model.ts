// A plain TypeScript model of the tree the vfs keeps, for the model-based
// test: POSIX rules as path.ts states them, with none of its machinery
// (no lazy image, no fmem, no cookies). Errors are preview1 errnos.

import {
  ERRNO_BADF, ERRNO_BUSY, ERRNO_EXIST, ERRNO_INVAL, ERRNO_ISDIR, ERRNO_LOOP, ERRNO_NOENT, ERRNO_NOTCAPABLE,
  ERRNO_NOTDIR, ERRNO_NOTEMPTY, ERRNO_PERM,
} from '@marcotte/abi';
import type { ImageEntry } from '@marcotte/abi';

export interface MNode {
  type: 'file' | 'dir' | 'symlink';
  data: Uint8Array;
  target: string;
  children: Map<string, MNode>;
  parent: MNode | null;
  nlink: number;
}

const node = (type: MNode['type']): MNode => ({ type, data: new Uint8Array(0), target: '', children: new Map(), parent: null, nlink: 0 });

interface Resolved { parent: MNode | null; name: string; node: MNode | null; trailing: boolean }

export class Model {
  root = node('dir');
  handles: ({ node: MNode; pos: number } | null)[] = [];

  /** Starts from image entries (parents before children; shared data objects are hard links). */
  constructor(entries: readonly ImageEntry[] = []) {
    this.root.nlink = 1;
    const files = new Map<Uint8Array, MNode>();
    const dirOf = (path: string): MNode => {
      let d = this.root;
      for (const part of path.split('/').slice(1, -1)) {
        let next = d.children.get(part);
        if (!next) {
          next = node('dir');
          this.insert(d, part, next);
        }
        d = next;
      }
      return d;
    };
    // The image lists each directory's children sorted by name (paths here are simple enough to sort whole).
    for (const e of [...entries].sort((x, y) => (x.path < y.path ? -1 : 1))) {
      const name = e.path.slice(e.path.lastIndexOf('/') + 1);
      let n = e.type === 'file' && e.data ? files.get(e.data) : undefined;
      if (!n) {
        n = node(e.type);
        if (e.type === 'file') n.data = new Uint8Array(e.data ?? []);
        if (e.type === 'symlink') n.target = e.target!;
        if (e.type === 'file' && e.data) files.set(e.data, n);
      }
      this.insert(dirOf(e.path), name, n);
    }
  }

  /** The same walk as resolve.ts: a number is an errno. */
  resolve(path: string, follow: boolean, nameOnly = false): Resolved | number {
    if (path === '') return ERRNO_NOENT;
    if (path.startsWith('/')) return ERRNO_NOTCAPABLE;
    const pending: string[] = [];
    const push = (p: string, trailing: boolean): void => {
      const parts = p.split('/');
      let last = true;
      for (let k = parts.length - 1; k >= 0; k--) {
        const part = parts[k]!;
        if (part === '') {
          if (last && k > 0) trailing = true;
          continue;
        }
        pending.push(last && trailing ? `${part}/` : part);
        last = false;
      }
      if (last && trailing) pending.push('./');
    };
    push(path, false);
    if (pending.length === 0) pending.push('.');
    const stack: MNode[] = [this.root];
    let fromRoot = false;
    let hops = 0;
    let out: Resolved = { parent: null, name: '', node: null, trailing: false };
    while (pending.length > 0) {
      let name = pending.pop()!;
      const last = pending.length === 0;
      const trailing = name.length > 1 && name.endsWith('/');
      if (trailing) name = name.slice(0, -1);
      const cur = stack.at(-1)!;
      if (name === '.' || name === '..') {
        if (name === '..') {
          if (stack.length > 1) stack.pop();
          else if (!fromRoot) return ERRNO_NOTCAPABLE;
        }
        if (last) out = { parent: null, name, node: stack.at(-1)!, trailing };
        continue;
      }
      const child = cur.children.get(name);
      if (!child) {
        if (!last) return ERRNO_NOENT;
        return { parent: cur, name, node: null, trailing };
      }
      if (child.type === 'symlink' && (!last || ((follow || trailing) && !(nameOnly && trailing)))) {
        if (++hops > 40) return ERRNO_LOOP;
        if (child.target.startsWith('/')) {
          stack.length = 0;
          stack.push(this.root);
          fromRoot = true;
        }
        const before = pending.length;
        push(child.target, trailing);
        if (pending.length === before && last) pending.push(trailing ? './' : '.');
        continue;
      }
      if (last) {
        if (trailing && child.type !== 'dir' && !nameOnly) return ERRNO_NOTDIR;
        return { parent: cur, name, node: child, trailing };
      }
      if (child.type !== 'dir') return ERRNO_NOTDIR;
      stack.push(child);
    }
    return out;
  }

  private insert(dir: MNode, name: string, child: MNode): void {
    dir.children.set(name, child);
    child.nlink++;
    if (child.type === 'dir') child.parent = dir;
  }

  private remove(dir: MNode, name: string): MNode {
    const child = dir.children.get(name)!;
    dir.children.delete(name);
    child.nlink--;
    if (child.type === 'dir') child.parent = null;
    return child;
  }

  /** path_open with write rights, or with `directory` O_DIRECTORY and read rights only: a handle index, or an errno (negated). */
  open(path: string, create: boolean, directory = false): number {
    const r = this.resolve(path, true, create);
    if (typeof r === 'number') return -r;
    if (create && r.trailing) return -ERRNO_ISDIR;
    let n = r.node;
    if (!n) {
      if (!create) return -ERRNO_NOENT;
      if (r.trailing) return -ERRNO_ISDIR;
      if (r.parent!.nlink === 0) return -ERRNO_NOENT;
      n = node('file');
      this.insert(r.parent!, r.name, n);
    } else if (n.type === 'symlink') {
      return -ERRNO_LOOP;
    } else if (n.type === 'dir') {
      // The write right opens for writing, which a directory refuses (wasmtime).
      if (create || !directory) return -ERRNO_ISDIR;
    } else if (directory) {
      return -ERRNO_NOTDIR;
    }
    this.handles.push({ node: n, pos: 0 });
    return this.handles.length - 1;
  }

  write(h: number, data: Uint8Array): number {
    const handle = this.handles[h];
    if (!handle) return ERRNO_BADF;
    const f = handle.node;
    // write(2) of nothing changes nothing, even past the end of the file.
    if (data.length === 0) return 0;
    const end = handle.pos + data.length;
    if (end > f.data.length) {
      const grown = new Uint8Array(end);
      grown.set(f.data);
      f.data = grown;
    }
    f.data.set(data, handle.pos);
    handle.pos = end;
    return 0;
  }

  read(h: number, n: number): Uint8Array | number {
    const handle = this.handles[h];
    if (!handle) return ERRNO_BADF;
    const out = handle.node.data.slice(handle.pos, handle.pos + n);
    handle.pos += out.length;
    return out;
  }

  seek(h: number, pos: number): number {
    const handle = this.handles[h];
    if (!handle) return ERRNO_BADF;
    handle.pos = pos;
    return 0;
  }

  close(h: number): number {
    if (!this.handles[h]) return ERRNO_BADF;
    this.handles[h] = null;
    return 0;
  }

  mkdir(path: string): number {
    const r = this.resolve(path, false, true);
    if (typeof r === 'number') return r;
    if (r.node) return ERRNO_EXIST;
    if (r.parent!.nlink === 0) return ERRNO_NOENT;
    this.insert(r.parent!, r.name, node('dir'));
    return 0;
  }

  rmdir(path: string): number {
    const r = this.resolve(path, false, true);
    if (typeof r === 'number') return r;
    if (!r.node) return ERRNO_NOENT;
    if (!r.parent) return r.name === '.' ? ERRNO_INVAL : ERRNO_NOTEMPTY;
    if (r.node.type !== 'dir') return ERRNO_NOTDIR;
    if (r.node.children.size > 0) return ERRNO_NOTEMPTY;
    this.remove(r.parent, r.name);
    return 0;
  }

  unlink(path: string): number {
    const r = this.resolve(path, false, true);
    if (typeof r === 'number') return r;
    if (!r.node) return ERRNO_NOENT;
    if (!r.parent || r.node.type === 'dir') return ERRNO_ISDIR;
    if (r.trailing) return ERRNO_NOTDIR;
    this.remove(r.parent, r.name);
    return 0;
  }

  symlink(target: string, path: string): number {
    if (target === '') return ERRNO_NOENT;
    if (target.startsWith('/')) return ERRNO_PERM;
    const r = this.resolve(path, false, true);
    if (typeof r === 'number') return r;
    if (r.node) return ERRNO_EXIST;
    if (r.trailing || r.parent!.nlink === 0) return ERRNO_NOENT;
    const s = node('symlink');
    s.target = target;
    this.insert(r.parent!, r.name, s);
    return 0;
  }

  link(from: string, to: string): number {
    const a = this.resolve(from, false);
    if (typeof a === 'number') return a;
    if (!a.node) return ERRNO_NOENT;
    const b = this.resolve(to, false, true);
    if (typeof b === 'number') return b;
    if (b.node) return ERRNO_EXIST;
    if (b.trailing) return ERRNO_NOENT;
    if (a.node.type === 'dir') return ERRNO_PERM;
    if (b.parent!.nlink === 0 || a.node.nlink === 0) return ERRNO_NOENT;
    this.insert(b.parent!, b.name, a.node);
    return 0;
  }

  rename(from: string, to: string): number {
    const a = this.resolve(from, false, true);
    if (typeof a === 'number') return a;
    const b = this.resolve(to, false, true);
    if (typeof b === 'number') return b;
    if (!a.parent || !b.parent) return ERRNO_BUSY;
    if (!a.node) return ERRNO_NOENT;
    const n = a.node;
    const target = b.node;
    if ((a.trailing || b.trailing) && n.type !== 'dir') return ERRNO_NOTDIR;
    if (target?.type === 'dir') for (let d: MNode | null = a.parent; d; d = d.parent) if (d === target) return ERRNO_NOTEMPTY;
    if (target === n) return 0;
    if (n.type === 'dir') {
      // Into its own subtree first (Linux: rename("a/b/", "a/b/c/") with a/b/c a file is EINVAL).
      for (let d: MNode | null = b.parent; d; d = d.parent) if (d === n) return ERRNO_INVAL;
      if (target && target.type !== 'dir') return ERRNO_NOTDIR;
      if (target && target.children.size > 0) return ERRNO_NOTEMPTY;
    } else if (target?.type === 'dir') {
      return ERRNO_ISDIR;
    }
    if (b.parent.nlink === 0) return ERRNO_NOENT;
    if (target) this.remove(b.parent, b.name);
    this.remove(a.parent, a.name);
    this.insert(b.parent, b.name, n);
    return 0;
  }

  /** type, size and nlink as path_filestat_get reports them, or an errno. */
  stat(path: string, follow: boolean): string | number {
    const r = this.resolve(path, follow);
    if (typeof r === 'number') return r;
    const n = r.node;
    if (!n) return ERRNO_NOENT;
    if (n.type === 'dir') {
      const subdirs = [...n.children.values()].filter((c) => c.type === 'dir').length;
      return `dir size=4096 nlink=${n.nlink === 0 ? 0 : 2 + subdirs}`;
    }
    const size = n.type === 'file' ? n.data.length : new TextEncoder().encode(n.target).length;
    return `${n.type} size=${size} nlink=${n.nlink}`;
  }

  /** Names in a directory (readdir order: insertion), or an errno. */
  readdir(path: string): string[] | number {
    const h = this.open(path, false, true);
    if (h < 0) return -h;
    const names = [...this.handles[h]!.node.children.keys()];
    this.handles[h] = null;
    return names;
  }
}
