// box run's run-time changes to a box's config that live inside the box:
// the working directory (-w) is part of the vfs image, and another
// entrypoint (--entrypoint) means the same box around another program.

import type { ImageEntry } from '@marcotte/abi';
import { configSegments, relink, replaceConfig } from '@marcotte/linker';
import { cleanPath, decodeImage, encodeImage, imageOptions, resolveImagePath } from '@marcotte/vfs';
import { UsageError } from './args.ts';
import { CAPABILITIES } from './capabilities.ts';

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
  let normalized: string;
  try {
    normalized = cleanPath(workdir, 'refuse');
  } catch {
    throw new UsageError(`box run: -w ${workdir}: ".." is not allowed`);
  }
  try {
    return replaceConfig(box, 'vfs', encodeImage(decodeImage(segments), { ...imageOptions(segments), workdir: normalized }));
  } catch (e) {
    throw new UsageError(`box run: -w ${workdir}: ${(e as Error).message}`);
  }
}

const RESOLVE_ERRORS = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
} as const;

/** The entry `path` names in `image`, following symlinks as the vfs does (absolute targets from the box's root). */
export function resolveInImage(image: readonly ImageEntry[], path: string, cwd: string): ImageEntry | string {
  const byPath = new Map(image.map((e) => [e.path, e]));
  const found = resolveImagePath((p) => byPath.get(p), path, { cwd });
  if ('error' in found) return RESOLVE_ERRORS[found.error];
  return found.entry ?? RESOLVE_ERRORS.ENOENT;
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
