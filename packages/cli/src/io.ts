import { readFile } from 'node:fs/promises';
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
