// Paths inside an image, with the vfs's rules, for every TypeScript tool that
// works on image entries (the builder's tree, box run's -w and --entrypoint,
// tar readers). One place decides what ".." means:
//
// - cleanPath: a path as text, before any lookup. Each caller names its ".."
//   policy: "refuse" (an archive entry or a name that must not climb: the
//   caller's error), "contain" (".." may go back up but never above the
//   root: a build context path), "clamp" (Docker's WORKDIR and COPY
//   destinations: ".." stops at the root), or "keep" (left for
//   resolveImagePath, which takes it from the directory it reached).
// - resolveImagePath: a path looked up in the entries, following symlinks as
//   the vfs does: absolute targets from the image's root, relative ones from
//   the link's directory, and ".." taken from the directory actually reached
//   (so "/link/.." is the parent of the link's target, not "/").
//
// Portable: no Node.

import type { ImageEntry } from '@marcotte/abi';

/** Symlinks followed before a lookup gives up, as Linux's ELOOP (MAXSYMLINKS). */
export const MAX_SYMLINK_HOPS = 40;

export type DotDot = 'refuse' | 'contain' | 'clamp' | 'keep';

/** Thrown under the "refuse" policy, and under "contain" when ".." would leave the root. */
export class PathClimbsError extends Error {
  override name = 'PathClimbsError';
}

/**
 * The components of `path` without empty and "." ones; ".." per `dotdot`
 * ("keep" leaves it for a lookup to take from the directory it reaches).
 */
export function pathComponents(path: string, dotdot: DotDot): string[] {
  const out: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p !== '..' || dotdot === 'keep') out.push(p);
    else if (dotdot === 'refuse' || (dotdot === 'contain' && out.length === 0)) throw new PathClimbsError(`${JSON.stringify(path)} climbs with ".."`);
    else out.pop();
  }
  return out;
}

/** `path` as an absolute image path ("./a//b/" -> "/a/b"), ".." per `dotdot` ("keep" is not a clean path: not offered). */
export function cleanPath(path: string, dotdot: Exclude<DotDot, 'keep'>): string {
  return `/${pathComponents(path, dotdot).join('/')}`;
}

export const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';
export const joinPath = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);

export type Resolved =
  | { path: string; entry: ImageEntry | undefined }
  | { error: 'ENOENT' | 'ENOTDIR' | 'ELOOP' };

/**
 * Looks `path` up (relative to `cwd` when not absolute) in the entries
 * `lookup` finds by absolute path, following symlinks as the vfs does; the
 * last component's symlink only when `followLast`. A missing last component
 * is not an error: the result names where it would be, with no entry (what
 * a creation needs).
 */
export function resolveImagePath(lookup: (path: string) => ImageEntry | undefined, path: string,
  options: { cwd?: string; followLast?: boolean } = {}): Resolved {
  const { cwd = '/', followLast = true } = options;
  let pending = pathComponents(path.startsWith('/') ? path : `${cwd}/${path}`, 'keep');
  let at = '/';
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    const next = name === '..' ? parentOf(at) : joinPath(at, name);
    const entry = lookup(next);
    const last = pending.length === 0;
    if (!entry) return last ? { path: next, entry: undefined } : { error: 'ENOENT' };
    if (entry.type === 'symlink' && (!last || followLast)) {
      if (++hops > MAX_SYMLINK_HOPS) return { error: 'ELOOP' };
      const target = entry.target ?? '';
      pending = [...pathComponents(target, 'keep'), ...pending];
      if (target.startsWith('/')) at = '/';
      continue;
    }
    if (!last && entry.type !== 'dir') return { error: 'ENOTDIR' };
    at = next;
  }
  return { path: at, entry: lookup(at) };
}
