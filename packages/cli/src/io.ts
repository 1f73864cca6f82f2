import { readFile, stat } from 'node:fs/promises';
import type { ImageEntry } from '@marcotte/abi';
import { imageFromDirectory, imageFromTar } from '@marcotte/vfs';
import { UsageError } from './args.ts';

/** Reads an input file; a missing or unreadable file is bad input, said in one line. */
export async function readInput(command: string, path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new UsageError(`${command}: cannot read ${path}: ${why}`);
  }
}

/** A filesystem image from a host directory or a tar file; what cannot be represented is bad input. */
export async function readImage(command: string, path: string): Promise<ImageEntry[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
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
