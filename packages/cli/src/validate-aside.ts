// box-link's program, read into shared memory and, when it is large,
// validated on a worker thread while the main thread reads and merges it (the
// linker's prepareLinkTo): WebAssembly.validate is single-threaded and takes
// 90-150 ms for Yosys, which on a machine with two cores then costs no wall
// time. A small program is validated here (validatorFor says why).
//
// The worker validates the very bytes the linker links: they are one
// SharedArrayBuffer, which nothing writes after the read, and V8 validates a
// shared buffer from a private copy it makes first. A file read twice (once on
// each thread) could change in between.

import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { UsageError } from './args.ts';
import { readInput } from './io.ts';

/**
 * The whole file at `path`, in a SharedArrayBuffer when it is a regular file
 * (one read of the size fstat gives; anything else read to its end from the
 * same open, in an ordinary buffer). Errors are readInput's one line.
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
    if (stat.isDirectory()) return await readInput(command, path); // its one line for a directory
    // A pipe, a device, or a file that says it is empty (as some special files do): read to its end from this
    // open, never by opening the path again: a FIFO's writer may have written and closed already, and a second
    // open would wait for another writer for ever.
    if (!stat.isFile() || stat.size === 0) return readFileSync(fd);
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

/**
 * The worker: a script validating the one program it is handed. Builtins
 * through process.getBuiltinModule: Node runs eval'd worker code as an ES
 * module where the process was started with --input-type=module, and as a
 * script elsewhere; this reads the same either way.
 *
 * V8 validates a shared buffer from a private copy it makes first, into
 * fresh memory: for Yosys 30 MB of pages touched for the first time, 70-100 ms
 * on a machine that charges ~10 us a page, after the program is read. So the
 * worker, told the program's size (workerData, or a message when it was
 * started before the size was known: link-early.ts), makes that copy's buffer and
 * touches its pages as soon as it starts, while the main thread reads; the
 * program it is handed is copied in (a few ms) and validated there, not
 * shared: the bytes are the very bytes handed over, copied after the read
 * (nothing writes them after it). A program of another size is validated
 * as it comes.
 */
const VALIDATE = "const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');"
  + ' let own; const room = (size) => { try { own = size > 0 ? new Uint8Array(size).fill(0) : undefined; } catch {} }; room(workerData);'
  + " parentPort.on('message', (bytes) => { if (typeof bytes === 'number') return room(bytes);"
  + ' let view = bytes; if (own !== undefined && own.length === bytes.length) { own.set(bytes); view = own; }'
  + ' parentPort.postMessage(WebAssembly.validate(view)); parentPort.close(); });';

/** A worker's validation, or why there is none (it could not start, it failed). */
export interface Ahead {
  /** tells a worker started without it the program's size (VALIDATE says why) */
  size(bytes: number): void;
  /** WebAssembly.validate(bytes) on the worker (`bytes` must be shared); rejects when the worker cannot answer */
  ask(bytes: Uint8Array): Promise<boolean>;
  /** ends a worker that will not be asked */
  drop(): void;
}

/**
 * Starts the worker now (a Node worker takes 30-60 ms to start), for a
 * program of `size` bytes when it is known (VALIDATE says why). It stays
 * unreferenced until it is asked: a command that ends first (a usage error,
 * a missing file) is not held up by it.
 */
export function workerAhead(size = 0): Ahead {
  let worker: Worker;
  let failure: Error | undefined;
  try {
    worker = new Worker(VALIDATE, { eval: true, workerData: size });
  } catch (e) {
    return { size() {}, ask: () => Promise.reject(e), drop() {} };
  }
  worker.unref();
  worker.once('error', (e) => { failure = e; });
  worker.once('exit', () => { failure ??= new Error('the validating worker ended'); });
  return {
    size: (bytes) => {
      if (!failure) worker.postMessage(bytes);
    },
    ask: (bytes) => new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      const done = (settle: () => void) => {
        worker.unref();
        settle();
      };
      worker.once('message', (valid) => done(() => resolve(valid === true)));
      worker.once('error', (e) => done(() => reject(e)));
      worker.once('exit', () => done(() => reject(failure ?? new Error('the validating worker ended'))));
      worker.ref();
      worker.postMessage(bytes);
    }),
    drop: () => void worker.terminate(),
  };
}

/**
 * Programs smaller than this are validated on box-link's own thread: there
 * WebAssembly.validate takes a few ms (Yosys, 30.8 MB, takes 90-150 ms), less
 * than a worker's start costs in CPU (30-60 ms), which a link of a small
 * program would otherwise pay every time.
 */
export const ASIDE_MIN_BYTES = 4 << 20;

/** WebAssembly.validate(bytes) on this thread. */
export const validateHere = (bytes: Uint8Array): Promise<boolean> => Promise.resolve(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>));

/**
 * The validator for the program at `path`: on a worker when it is a regular
 * file of at least ASIDE_MIN_BYTES (`early`, started before this was known,
 * or one started now); on this thread otherwise, `early` ended (a file that
 * changes size meanwhile is still validated, wherever: the size only picks the thread).
 */
export function validatorFor(path: string, early?: Ahead): (bytes: Uint8Array) => Promise<boolean> {
  let size = 0;
  try {
    const stat = statSync(path);
    if (stat.isFile()) size = stat.size;
  } catch {
    // readShared reports a missing or unreadable file in its own line
  }
  if (size >= ASIDE_MIN_BYTES) return validatorAhead(size, early);
  early?.drop();
  return validateHere;
}

/**
 * The function box-link hands its program to: WebAssembly.validate(bytes),
 * on the worker started now (for a program of `size` bytes, when known) when the bytes are shared (a copy for the worker
 * would cost as much as the validation), on this thread when they are not or
 * when the worker cannot answer.
 */
export function validatorAhead(size = 0, early?: Ahead): (bytes: Uint8Array) => Promise<boolean> {
  const ahead = early ?? workerAhead(size);
  if (early && size > 0) early.size(size);
  return (bytes) => {
    if (!(bytes.buffer instanceof SharedArrayBuffer)) {
      ahead.drop();
      return validateHere(bytes);
    }
    return ahead.ask(bytes).catch(() => validateHere(bytes));
  };
}
