// The JS API: what the CLI does, as functions (README "JS API"). Each takes
// and returns bytes and plain data; nothing here prints or exits.

import type { ImageEntry, Manifest } from '@marcotte/abi';
import { build as buildBox, type BuildOptions, type BuildResult } from '@marcotte/builder';
import type { LinkResult } from '@marcotte/linker';
import { runBoxIsolated, type IsolatedOptions, type RunResult } from '@marcotte/runtime';
import { readSnapshot, snapshotToTar } from '@marcotte/vfs';
import { CAPABILITIES } from './capabilities.ts';
import { inspectBox, type Inspection } from './commands/inspect.ts';

export { link, linkTo, type LinkOptions } from './link-api.ts';

/** box build: a Dockerfile and its context to a box, with every capability this CLI has. */
export function build(options: Omit<BuildOptions, 'capabilities'>): Promise<BuildResult> {
  return buildBox({ ...options, capabilities: CAPABILITIES });
}

export type RunOptions = IsolatedOptions;

/**
 * box run: runs the box in a worker thread (so limits and signals can end
 * it) and returns the program's exit code, its manifest and, with
 * `snapshot: true`, the vfs's tree at the end.
 */
export function run(box: Uint8Array, options: RunOptions = {}): Promise<RunResult> {
  return runBoxIsolated(box, options);
}

/** box inspect: the manifest, the authority by part, memories and sizes. */
export function inspect(box: Uint8Array): Inspection {
  return inspectBox(box);
}

/** A run's filesystem (RunResult.snapshot) as entries, and as a tar. */
export function snapshot(bytes: Uint8Array): { entries: ImageEntry[]; tar(): Uint8Array } {
  const entries = readSnapshot(bytes);
  return { entries, tar: () => snapshotToTar(entries) };
}

export type { BuildOptions, BuildResult, Inspection, LinkResult, Manifest, RunResult };
