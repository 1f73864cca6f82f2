// box run's run-time changes to a box's config that live inside the box:
// the working directory (-w) is part of the vfs image, and another
// entrypoint (--entrypoint) means the same box around another program.

import type { ImageEntry } from '@marcotte/abi';
import { configSegments, relink, replaceConfig } from '@marcotte/linker';
import { decodeImage, encodeImage, imageOptions } from '@marcotte/vfs';
import { UsageError } from './args.ts';
import { CAPABILITIES } from './capabilities.ts';

/** Symlinks followed before a path is given up on, as Linux's ELOOP. */
const MAX_HOPS = 40;

function segmentsOf(box: Uint8Array, option: string): Uint8Array[] {
  let segments: Uint8Array[] | undefined;
  try {
    segments = configSegments(box, 'vfs');
  } catch (e) {
    throw new UsageError(`box run: ${option}: ${(e as Error).message}`);
  }
  if (!segments) throw new UsageError(`box run: ${option} needs a box with its own filesystem (link it with --fs)`);
  return segments;
}

/** `box` with `workdir` as its working directory; missing directories are created, as docker run -w does. */
export function withWorkdir(box: Uint8Array, workdir: string): Uint8Array {
  if (!workdir.startsWith('/')) throw new UsageError(`box run: -w must be an absolute path, got ${JSON.stringify(workdir)}`);
  const segments = segmentsOf(box, '-w');
  const normalized = `/${workdir.split('/').filter((p) => p && p !== '.').join('/')}`;
  if (normalized.split('/').includes('..')) throw new UsageError(`box run: -w ${workdir}: ".." is not allowed`);
  try {
    return replaceConfig(box, 'vfs', encodeImage(decodeImage(segments), { ...imageOptions(segments), workdir: normalized }));
  } catch (e) {
    throw new UsageError(`box run: -w ${workdir}: ${(e as Error).message}`);
  }
}

/** The entry `path` names in `image`, following symlinks as the vfs does (absolute targets from the box's root). */
export function resolveInImage(image: readonly ImageEntry[], path: string, cwd: string): ImageEntry | string {
  const byPath = new Map(image.map((e) => [e.path, e]));
  let pending = (path.startsWith('/') ? path : `${cwd}/${path}`).split('/').filter(Boolean);
  const at: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      at.pop();
      continue;
    }
    const here = `/${[...at, name].join('/')}`;
    const entry = byPath.get(here);
    if (!entry) return 'no such file or directory';
    if (entry.type === 'symlink') {
      if (++hops > MAX_HOPS) return 'too many levels of symbolic links';
      const target = entry.target ?? '';
      if (target.startsWith('/')) at.length = 0;
      pending = [...target.split('/').filter(Boolean), ...pending];
      continue;
    }
    if (pending.length > 0 && entry.type !== 'dir') return 'not a directory';
    at.push(name);
  }
  return byPath.get(`/${at.join('/')}`) ?? 'no such file or directory';
}

/** The box around the WASI program at `path` in its own filesystem, with its other settings unchanged. */
export function withEntrypoint(box: Uint8Array, path: string): Uint8Array {
  const segments = segmentsOf(box, '--entrypoint');
  let image: ImageEntry[];
  let cwd: string;
  try {
    cwd = imageOptions(segments).workdir;
    image = decodeImage(segments);
  } catch (e) {
    throw new UsageError(`box run: --entrypoint ${path}: ${(e as Error).message}`);
  }
  const found = resolveInImage(image, path, cwd);
  if (typeof found === 'string') throw new UsageError(`box run: --entrypoint ${path}: ${found} in the box's filesystem`);
  if (found.type !== 'file') throw new UsageError(`box run: --entrypoint ${path}: is a directory`);
  try {
    const linked = relink(box, found.data ?? new Uint8Array(0), { capabilities: CAPABILITIES, entrypoint: path, programName: path });
    for (const w of linked.warnings) process.stderr.write(`box run: --entrypoint ${path}: ${w}\n`);
    return linked.bytes;
  } catch (e) {
    throw new UsageError(`box run: --entrypoint ${path}: ${(e as Error).message}`);
  }
}
