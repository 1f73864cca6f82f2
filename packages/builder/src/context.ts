// The build context: a host directory seen through .dockerignore. Only its
// paths and metadata are read up front; file bytes are read (and hashed for
// the cache) when a COPY or ADD names them.

import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { isIgnored, mayReinclude, parseDockerignore, type IgnorePattern } from './dockerignore.ts';
import { pathComponents } from '@marcotte/vfs';
import { InputError } from './errors.ts';

/** A source path from the context, cleaned; `..` that climbs above the root is refused. */
export function contextPath(source: string): string {
  try {
    return pathComponents(source, 'contain').join('/');
  } catch {
    throw new InputError(`${source}: path escapes the build context`);
  }
}

/**
 * The host path of a file FROM names: relative to the context, not above
 * it, and still inside it once every symlink on the way is followed (the
 * host resolves them: a base box is read from the host, not from the
 * context's listing, so .dockerignore does not hide it). Undefined when
 * there is no such file.
 */
export function hostPathInContext(root: string, source: string): string | undefined {
  if (source.startsWith('/')) throw new InputError(`${source}: a base box must be in the build context (give its path relative to it)`);
  const path = join(root, contextPath(source));
  let real: string, realRoot: string;
  try {
    real = realpathSync(path);
    realRoot = realpathSync(root);
  } catch {
    return undefined;
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw new InputError(`${source}: a symlink on its path points out of the build context`);
  return real;
}

export interface ContextEntry {
  /** relative to the context root, "/"-separated; "" is the root */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtime: bigint;
  size: number;
  target?: string;
}

export class Context {
  readonly root: string;
  readonly entries = new Map<string, ContextEntry>();
  private readonly bytes = new Map<string, Uint8Array>();
  private readonly hashes = new Map<string, string>();

  constructor(root: string, ignore: readonly IgnorePattern[]) {
    this.root = root;
    this.walk('', ignore);
  }

  /** Reads the context at `root`, honouring its .dockerignore. */
  static open(root: string): Context {
    const file = join(root, '.dockerignore');
    const patterns = existsSync(file) ? parseDockerignore(readFileSync(file, 'utf8')) : [];
    return new Context(root, patterns);
  }

  private walk(path: string, ignore: readonly IgnorePattern[]): void {
    const host = path === '' ? this.root : join(this.root, path);
    const st = lstatSync(host, { bigint: true });
    const mode = Number(st.mode & 0o7777n);
    const base = { path, mode, mtime: st.mtimeNs, size: Number(st.size) };
    const ignored = path !== '' && isIgnored(ignore, path);
    if (st.isDirectory()) {
      if (ignored && !mayReinclude(ignore, path)) return;
      if (!ignored) this.entries.set(path, { ...base, type: 'dir', size: 0 });
      const names = readdirSync(host).sort();
      for (const name of names) this.walk(path === '' ? name : `${path}/${name}`, ignore);
      return;
    }
    if (ignored) return;
    if (st.isSymbolicLink()) this.entries.set(path, { ...base, type: 'symlink', target: readlinkSync(host) });
    else if (st.isFile()) this.entries.set(path, { ...base, type: 'file' });
    // sockets, fifos and devices have no place in an image
  }

  /** A file's bytes. */
  read(path: string): Uint8Array {
    let b = this.bytes.get(path);
    if (!b) {
      b = new Uint8Array(readFileSync(join(this.root, path)));
      this.bytes.set(path, b);
    }
    return b;
  }

  /** sha256 of a file's bytes, metadata and name: what the cache keys a copied file by. */
  hash(path: string): string {
    let h = this.hashes.get(path);
    if (!h) {
      const e = this.entries.get(path)!;
      const hash = createHash('sha256').update(`${e.type}\0${path}\0${e.mode}\0${e.mtime}\0${e.target ?? ''}\0`);
      if (e.type === 'file') hash.update(this.read(path));
      h = hash.digest('hex');
      this.hashes.set(path, h);
    }
    return h;
  }

  /** Entries at and below `path` (a directory's contents, or the file itself), in name order. */
  below(path: string): ContextEntry[] {
    const out: ContextEntry[] = [];
    for (const [p, e] of this.entries) if (p === path || path === '' || p.startsWith(`${path}/`)) out.push(e);
    return out;
  }
}
