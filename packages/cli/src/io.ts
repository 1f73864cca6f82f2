// Synchronous calls: a command does one thing at a time, and node:fs/promises (with
// the thread pool it starts) cost a plain `box run` ~7 ms of start-up for one read.
import { accessSync, closeSync, constants, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ModuleSink } from '@marcotte/linker';
import { UsageError } from './args.ts';

/** Reads an input file; a missing or unreadable file is bad input, said in one line. */
export async function readInput(command: string, path: string): Promise<Uint8Array> {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new UsageError(`${command}: cannot read ${path}: ${why}`);
  }
}

/** Why `path` cannot be written, in a few words (errno codes as a user reads them). */
function writeProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'its directory does not exist'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied'
    : code === 'EISDIR' ? 'is a directory'
    : code === 'ENOTDIR' ? 'a parent is not a directory'
    : code === 'ENOSPC' ? 'no space left on the device'
    : (e as Error).message;
}

/**
 * Checks, before any work, that an output file can be written: its
 * directory exists and is writable and the path is not a directory. A
 * command that would fail only at the end (after a long build, or after
 * running a program) says so at once, in one line.
 */
export function checkWritable(command: string, path: string): void {
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${command}: cannot write ${path}: ${writeProblem(e)}`);
  }
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // a new file
  }
  if (isDir) throw new UsageError(`${command}: cannot write ${path}: is a directory`);
}

/** Writes an output file; a failure (a full disk, a directory removed meanwhile) is one line. */
export async function writeOutput(command: string, path: string, bytes: Uint8Array | string): Promise<void> {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new UsageError(`${command}: cannot write ${path}: ${writeProblem(e)}`);
  }
}

/**
 * Writes an output file as `fill` makes it, through a sink (a linked box,
 * chunk by chunk: it is never held whole in memory). The file is opened at
 * the first write, so a command that fails before (bad input) leaves an
 * existing file as it was; if a write or `fill` fails after, the partial file
 * is removed. A failure to write is one line, as in writeOutput.
 */
export function writeOutputFrom<T>(command: string, path: string, fill: (sink: ModuleSink) => T): T {
  let fd: number | undefined;
  let at = 0;
  const put = (bytes: Uint8Array, position: number) => {
    fd ??= openSync(path, 'w');
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  };
  try {
    const result = fill({
      write(chunk) {
        put(chunk, at);
        at += chunk.length;
      },
      patch(offset, bytes) {
        put(bytes, offset);
      },
    });
    if (fd === undefined) put(new Uint8Array(0), 0); // an empty output is still a file
    closeSync(fd!);
    return result;
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // closed already (its close was what failed)
      }
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
    if (e instanceof Error && 'syscall' in e) throw new UsageError(`${command}: cannot write ${path}: ${writeProblem(e)}`);
    throw e;
  }
}
