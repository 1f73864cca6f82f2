// Build contexts written on the fly, and a box's stdout captured through a file.

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CapabilityDescriptor, ImageEntry } from '@marcotte/abi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { runBox } from '@marcotte/runtime';
import { vfs } from '@marcotte/vfs';
import { readBaseBox } from '../src/base.ts';
import { build, BuildError, type BuildOptions, type BuildResult } from '../src/index.ts';

export const CAPS: readonly CapabilityDescriptor[] = [kernel, clock, vfs, proc];
export const FSOP = readFileSync(new URL('./fixtures/fsop.wasm', import.meta.url));

export type Files = Record<string, string | Uint8Array | { symlink: string }>;

/** Scratch directories made by these helpers, removed after each test file (test/setup.ts). */
const scratch: string[] = [];

/**
 * Removes the scratch directories made so far. Called by test/setup.ts after every test file: an
 * afterAll here would be registered once only, in the first file, because the test files share
 * this module (isolate: false), and every later file's directories stayed in the temp folder.
 */
export function removeScratchDirs(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh scratch directory, removed after the test file. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A fresh directory holding `files` (fixed mtimes, so builds are comparable). */
export function makeContext(files: Files): string {
  const root = scratchDir('box-build-');
  for (const [path, content] of Object.entries(files)) {
    const host = join(root, path);
    mkdirSync(dirname(host), { recursive: true });
    if (typeof content === 'object' && 'symlink' in content) symlinkSync(content.symlink, host);
    else {
      writeFileSync(host, content);
      utimesSync(host, 1_700_000_000, 1_700_000_000);
    }
  }
  return root;
}

let devNull: number | undefined;

export function buildIn(context: string, extra: Partial<BuildOptions> = {}): Promise<BuildResult> {
  devNull ??= openSync('/dev/null', 'w');
  return build({ context, capabilities: CAPS, cacheDir: null, runIo: { stdout: devNull, stderr: devNull }, ...extra });
}

/** Runs a box and returns its exit code and stdout. */
/** A file entry's text. */
export const text = (e: ImageEntry | undefined): string => new TextDecoder().decode(e?.data);

/** A built box's image, by path. */
export function image(bytes: Uint8Array): Map<string, ImageEntry> {
  return new Map(readBaseBox(bytes, 'x.box.wasm').image.map((e) => [e.path, e]));
}

/** The BuildError a build of `context` fails with (the test fails if it succeeds). */
export async function failure(context: string, extra: Partial<BuildOptions> = {}): Promise<BuildError> {
  try {
    await buildIn(context, extra);
  } catch (e) {
    if (e instanceof BuildError) return e;
    throw e;
  }
  throw new Error('the build succeeded');
}

export async function runCaptured(bytes: Uint8Array, args: string[] = []): Promise<{ exitCode: number; stdout: string }> {
  const dir = scratchDir('box-out-');
  const path = join(dir, 'stdout');
  const fd = openSync(path, 'w');
  try {
    const { exitCode } = await runBox(bytes, { args, stdout: fd });
    return { exitCode, stdout: readFileSync(path, 'utf8') };
  } finally {
    try {
      closeSync(fd);
    } catch {
      // the program may have closed it
    }
  }
}
