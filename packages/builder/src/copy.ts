// COPY and ADD with Docker's rules: sources are taken from the context root
// (never above it) or from an earlier stage's filesystem, globs match within
// one path segment, a directory source copies its contents, several
// sources need a destination ending in "/", a destination ending in "/" (or
// an existing directory) receives files under their own names. ADD also
// unpacks local tar archives and refuses URLs.

import type { ImageEntry } from '@marcotte/abi';
import { contextPath, type Context, type ContextEntry } from './context.ts';
import { globSource } from './dockerignore.ts';
import { InputError } from './errors.ts';
import { archiveKind, readArchive, type UnpackBudget } from './tar.ts';
import { baseOf, joinPath, normalize, parentOf, resolveFrom, type Layer, type Tree } from './tree.ts';

/** Where sources come from: the build context, or an earlier stage's filesystem. */
export type CopyFrom = { kind: 'context'; context: Context } | { kind: 'stage'; name: string; tree: Tree };

export interface CopyRequest {
  add: boolean;
  sources: readonly string[];
  dest: string;
  workdir: string;
  /** --chmod, applied to every file and directory copied */
  chmod?: number;
  /** ADD: what the build's archives may still unpack (default: DEFAULT_MAX_UNPACK for this one) */
  unpack?: UnpackBudget;
}

/** One matched source: its path (context-relative or absolute in the stage) and what lies at and below it. */
export interface Match {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  entries: ImageEntry[];
  /** what the cache keys the match by (file hashes for the context) */
  keys: string[];
}

const GLOB = /[*?[]/;

export function parseChmod(text: string): number {
  if (!/^[0-7]{3,4}$/.test(text)) throw new InputError(`--chmod expects octal permission bits such as 755, got ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function relativeTo(base: string, path: string): string {
  if (base === '' || base === '/') return path.replace(/^\//, '');
  return path === base ? '' : path.slice(base.length + 1);
}

function fromContextEntry(context: Context, e: ContextEntry, at: string): ImageEntry {
  if (e.type === 'dir') return { path: at, type: 'dir', mode: e.mode, mtime: e.mtime };
  if (e.type === 'symlink') return { path: at, type: 'symlink', target: e.target!, mode: e.mode, mtime: e.mtime };
  // A copy of its own: two COPYs of one file are two files, not hard links.
  return { path: at, type: 'file', data: context.read(e.path).slice(), mode: e.mode, mtime: e.mtime };
}

/** Follows a source that is itself a symlink, as Docker does; its target must stay in the context. */
function followContextLink(context: Context, path: string, source: string): ContextEntry {
  let e = context.entries.get(path)!;
  for (let hops = 0; e.type === 'symlink'; hops++) {
    if (hops > 40) throw new InputError(`${source}: too many levels of symbolic links`);
    const target = e.target!;
    if (target.startsWith('/')) throw new InputError(`${source}: symlink to ${target} points out of the build context`);
    const dir = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
    let next: string;
    try {
      next = contextPath(dir ? `${dir}/${target}` : target);
    } catch {
      throw new InputError(`${source}: symlink to ${target} points out of the build context`);
    }
    const n = context.entries.get(next);
    if (!n) throw new InputError(`${source}: symlink to ${target}: not found in the build context`);
    e = n;
  }
  return e;
}

function matchContext(context: Context, source: string): Match[] {
  const clean = contextPath(source);
  let paths: string[];
  if (GLOB.test(clean)) {
    const re = new RegExp(`^${globSource(clean)}$`);
    paths = [...context.entries.keys()].filter((p) => p !== '' && re.test(p));
  } else {
    paths = context.entries.has(clean) ? [clean] : [];
  }
  if (paths.length === 0) throw new InputError(`${source}: not found in the build context${clean === '' ? '' : ' (or excluded by .dockerignore)'}`);
  return paths.map((path) => {
    const e = followContextLink(context, path, source);
    const below = e.type === 'dir' ? context.below(e.path) : [e];
    return {
      path,
      type: e.type,
      entries: below.map((b) => fromContextEntry(context, b, b.path === e.path ? (e.type === 'dir' ? '/' : `/${baseOf(`/${path}`)}`) : `/${relativeTo(e.path, b.path)}`)),
      keys: below.map((b) => context.hash(b.path)),
    };
  });
}

/**
 * Where the stage holds a file of the same name, when not at the path asked for. The usual cause:
 * the stage's program wrote a relative path, which went to the directory it ran in (for a
 * preview1 program, `/` unless it changes directory), not to the WORKDIR the Dockerfile named.
 */
function elsewhereHint(tree: Tree, abs: string): string {
  const name = baseOf(abs);
  if (name === '') return '';
  const found = [...tree.nodes.keys()].filter((p) => p !== abs && baseOf(p) === name).sort();
  if (found.length === 0) return '';
  const shown = found.slice(0, 3).join(', ') + (found.length > 3 ? `, and ${found.length - 3} more` : '');
  return ` (it has ${shown}: if its program wrote a relative path, that is where it went)`;
}

function matchStage(name: string, tree: Tree, source: string): Match[] {
  const abs = normalize(`/${source}`);
  let paths: string[];
  if (GLOB.test(abs)) {
    const re = new RegExp(`^${globSource(abs)}$`);
    paths = [...tree.nodes.keys()].filter((p) => re.test(p));
  } else {
    const real = tree.resolve(abs);
    paths = real !== undefined && tree.get(real) ? [abs] : [];
  }
  if (paths.length === 0) throw new InputError(`${source}: not found in stage ${name}${GLOB.test(abs) ? '' : elsewhereHint(tree, abs)}`);
  return paths.map((path) => {
    const real = tree.resolve(path)!;
    const e = tree.get(real);
    if (!e) throw new InputError(`${source}: ${path} is a dangling symlink in stage ${name}`);
    const below = e.type === 'dir' ? [...tree.nodes.values()].filter((n) => n.path === real || real === '/' || n.path.startsWith(`${real}/`)) : [e];
    const entries = below.map((b) => ({ ...b, path: b.path === real ? (e.type === 'dir' ? '/' : `/${baseOf(path)}`) : `/${relativeTo(real, b.path)}` }));
    return { path, type: e.type, entries, keys: [JSON.stringify(entries.map((x) => [x.path, x.type, x.mode, String(x.mtime), x.target ?? '', x.data?.length ?? 0]))] };
  });
}

/** Sources for a COPY/ADD; URLs are refused. */
export function matchSources(req: CopyRequest, from: CopyFrom): Match[] {
  const out: Match[] = [];
  for (const s of req.sources) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || s.startsWith('git@')) {
      throw new InputError(`${req.add ? 'ADD' : 'COPY'} ${s}: remote sources are not supported (download it into the build context)`);
    }
    out.push(...(from.kind === 'context' ? matchContext(from.context, s) : matchStage(from.name, from.tree, s)));
  }
  return out;
}

/** The layer a COPY/ADD makes over `tree`. */
export function copyLayer(req: CopyRequest, matches: readonly Match[], tree: Tree): Layer {
  const destIsDir = req.dest.endsWith('/') || req.dest === '.' || req.dest.endsWith('/.');
  if (matches.length > 1 && !destIsDir) {
    throw new InputError(`copying ${matches.length} sources needs a destination directory ending in "/", got ${JSON.stringify(req.dest)}`);
  }
  const dest = resolveFrom(req.workdir, req.dest);
  // The destination may be (or pass through) a symlink in the image.
  const real = tree.resolve(dest) ?? dest;
  const existingDir = tree.get(real)?.type === 'dir';
  const out = new Map<string, ImageEntry>();
  const put = (e: ImageEntry) => out.set(e.path, req.chmod !== undefined && e.type !== 'symlink' ? { ...e, mode: req.chmod } : e);
  for (const m of matches) {
    let entries = m.entries;
    let intoDir = m.type === 'dir';
    if (req.add && m.type === 'file') {
      const data = m.entries[0]!.data!;
      const kind = archiveKind(data);
      if (kind) {
        let unpacked: ImageEntry[] | undefined;
        try {
          unpacked = readArchive(data, kind, req.unpack);
        } catch (e) {
          throw new InputError(`ADD ${m.path}: ${(e as Error).message}`);
        }
        if (unpacked) {
          entries = unpacked.filter((e) => e.path !== '/');
          intoDir = true;
        }
      }
    }
    if (intoDir) {
      if (!tree.get(real)) put({ path: real, type: 'dir', mode: 0o755, mtime: tree.epoch });
      for (const e of entries) if (e.path !== '/') put({ ...e, path: joinPath(real, e.path.slice(1)) });
    } else {
      const at = destIsDir || existingDir ? joinPath(real, baseOf(entries[0]!.path)) : real;
      if (at === '/') throw new InputError(`cannot copy a file over the root directory`);
      put({ ...entries[0]!, path: at });
    }
  }
  // Parents the copy needs and the image lacks.
  const scratch = tree.clone();
  const layerEntries: ImageEntry[] = [];
  for (const e of [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    // An image has no place for an entry under a symlink or a file (an archive's a/passwd over the image's a -> /etc).
    for (let p = parentOf(e.path); p !== '/'; p = parentOf(p)) {
      const above = scratch.get(p);
      if (above && above.type !== 'dir') throw new InputError(`${e.path} would lie under ${p}, a ${above.type} in the image`);
      if (above) break;
    }
    layerEntries.push(...scratch.ensureParents(e.path));
    scratch.put(e);
    layerEntries.push(e);
  }
  return { entries: layerEntries, whiteouts: [] };
}
