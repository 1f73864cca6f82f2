// box run --commit: checking, before the run, that the box's image can be
// rewritten, and writing the new box after it. A module of its own: the
// linker's and the vfs's image code load only for a run that commits.

import { writeFileSync } from 'node:fs';
import { decodeParts, findCustomSection, PARTS_SECTION, type ImageEntry } from '@marcotte/abi';
import { configSegments, imageSummary, LinkError, replaceConfig, WasmFormatError } from '@marcotte/linker';
import { decodeImage, encodeImage, IMAGE_SEGMENTS, imageOptions, snapshotSegments } from '@marcotte/vfs';
import { UsageError } from '../args.ts';

/**
 * The box with the run's filesystem as its new image; `workdir` (when -w
 * moved it for the run) is the box's own, which the commit keeps.
 */
export function writeCommit(path: string, box: Uint8Array, snapshot: Uint8Array, workdir?: string): void {
  let segments: Uint8Array[];
  let entries: ImageEntry[];
  try {
    segments = snapshotSegments(snapshot);
    // A tree the box's image brought in may be one no tool can take (a node's path past max path).
    entries = decodeImage(segments);
    if (workdir !== undefined) segments = encodeImage(entries, { ...imageOptions(segments), workdir });
  } catch (e) {
    throw new UsageError(`box run: --commit ${path}: ${(e as Error).message}`);
  }
  writeFileSync(path, replaceConfig(box, 'vfs', segments, { image: imageSummary(entries) }));
}

/**
 * Writes the commit after the run. The program has already run, so its exit
 * code is the run's result: a commit that fails now (a disk filled, a
 * directory removed since the check before the run) is said in one line on
 * stderr, and the exit code stays the program's.
 */
export function keepExitCode(write: () => void): void {
  try {
    write();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    console.error(`box run: --commit: the run's filesystem was not written: ${why}`);
  }
}

/**
 * The box's image placement, checked before the run (the commit rewrites
 * those segments with the run's snapshot): a damaged box is refused, not
 * found out after the program ran.
 */
export function checkCommitTarget(box: Uint8Array, boxPath: string): void {
  let segments: Uint8Array[] | undefined;
  try {
    segments = configSegments(box, 'vfs');
  } catch (e) {
    if (e instanceof LinkError || e instanceof WasmFormatError) throw new UsageError(`box run: --commit: ${boxPath}: ${e.message}`);
    throw e;
  }
  if (segments?.length !== IMAGE_SEGMENTS) {
    throw new UsageError(`box run: --commit: ${boxPath}: its manifest places its image on ${segments?.length} data segment${segments?.length === 1 ? '' : 's'}, a vfs image is ${IMAGE_SEGMENTS}`);
  }
  // What the commit reads again after the run: the image it re-encodes and the parts it rewrites.
  try {
    decodeImage(segments);
    const parts = findCustomSection(box, PARTS_SECTION);
    if (parts) decodeParts(parts);
  } catch (e) {
    throw new UsageError(`box run: --commit: ${boxPath}: ${(e as Error).message}`);
  }
}
