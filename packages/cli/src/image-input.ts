// `--image DIR|TAR` as a filesystem image, in a module of its own: the vfs's
// image code loads only for the commands that take an image, not for every
// command that reads a file (io.ts).

import { statSync } from 'node:fs';
import type { ImageEntry } from '@marcotte/abi';
import { imageFromDirectory, imageFromTar } from '@marcotte/vfs';
import { UsageError } from './args.ts';
import { readInput } from './io.ts';

/** A filesystem image from a host directory or a tar file; what cannot be represented is bad input. */
export async function readImage(command: string, path: string): Promise<ImageEntry[]> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`${command}: --image ${path}: no such file or directory`);
  }
  try {
    return isDir ? imageFromDirectory(path) : imageFromTar(await readInput(command, path));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${command}: --image ${path}: ${(e as Error).message}`);
  }
}
