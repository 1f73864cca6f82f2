// box-link's program, read into shared memory and validated on a worker
// thread while the main thread reads and merges it (the linker's
// prepareLinkTo): WebAssembly.validate is single-threaded and takes 90-150 ms
// for Yosys, which on a machine with two cores then costs no wall time.
//
// The worker validates the very bytes the linker links: they are one
// SharedArrayBuffer, which nothing writes after the read, and V8 validates a
// shared buffer from a private copy it makes first. A file read twice (once on
// each thread) could change in between.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { UsageError } from './args.ts';
import { readInput } from './io.ts';

/**
 * The whole file at `path`, in a SharedArrayBuffer when it is a regular file
 * (one read of the size fstat gives; anything else as readInput reads it, in
 * an ordinary buffer). Errors are readInput's one line.
 */
export async function readShared(command: string, path: string): Promise<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return readInput(command, path); // its message for a missing or unreadable file
  }
  try {
    const stat = fstatSync(fd);
    // a pipe, a device, or a file that says it is empty (as some special files do): read to its end as readInput does
    if (!stat.isFile() || stat.size === 0) return await readInput(command, path);
    const bytes = new Uint8Array(new SharedArrayBuffer(stat.size));
    let n = 0;
    for (let got = -1; n < bytes.length && got !== 0; n += got) got = readSync(fd, bytes, n, bytes.length - n, n);
    // a file that shrank meanwhile: what was there
    return n === bytes.length ? bytes : bytes.subarray(0, n);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${command}: cannot read ${path}: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The worker: a script, not a module (no loader to start), answering one message. */
const VALIDATE = "const { parentPort, workerData } = require('node:worker_threads'); parentPort.postMessage(WebAssembly.validate(workerData));";

/**
 * WebAssembly.validate(bytes), on a worker thread when the bytes are shared
 * (a copy for the worker would cost as much as the validation); on this
 * thread when they are not, or when the worker cannot answer.
 */
export function validateAside(bytes: Uint8Array): Promise<boolean> {
  const here = () => WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>);
  if (!(bytes.buffer instanceof SharedArrayBuffer)) return Promise.resolve(here());
  return new Promise((resolve) => {
    let answered = false;
    const answer = (valid: () => boolean) => {
      if (answered) return;
      answered = true;
      resolve(valid());
    };
    let worker: Worker;
    try {
      worker = new Worker(VALIDATE, { eval: true, workerData: bytes });
    } catch {
      answer(here);
      return;
    }
    worker.once('message', (valid) => answer(() => valid === true));
    // a worker that failed (could not start, ran out of memory) leaves the answer to this thread
    worker.once('error', () => answer(here));
    worker.once('exit', () => answer(here));
  });
}
