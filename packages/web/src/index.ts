// The page-side API: runs a box in a Web Worker and hands its output to
// callbacks. The worker is worker.js beside this module (the build puts
// them together); a blocking read in the box waits there, not on the page.

import { BoxFormatError, readManifest, type ImageEntry, type Manifest } from '@marcotte/abi';
import { StartError, TrapError } from '@marcotte/runtime/errors';
import { hasMultiMemory } from '@marcotte/runtime/features';
import { readSnapshot, snapshotToTar } from '@marcotte/vfs';
import type { RunRequest, WorkerMessage } from './protocol.ts';
import { createChannel, StdinQueue } from './stdin.ts';

export { StdinQueue } from './stdin.ts';
export { HOST_SUPPORT } from './host.ts';
// One definition of each error for Node and the browser, so code that catches
// one catches the other.
export { hasMultiMemory, readManifest, StartError, TrapError, type Manifest };

export interface RunOptions {
  /** run-time args (argv[1..]); when empty the box's default args apply */
  args?: readonly string[];
  /** run-time environment (overrides the baked one key by key) */
  env?: Readonly<Record<string, string>>;
  onStdout?: (bytes: Uint8Array) => void;
  onStderr?: (bytes: Uint8Array) => void;
  /**
   * stdin: a queue the page keeps writing to (needs cross-origin isolation for
   * SharedArrayBuffer), or all of it up front; default: empty
   */
  stdin?: StdinQueue | string | Uint8Array;
  /** static (the merged multi-memory module) or dynamic (a portable box's parts); default: static where the engine can */
  mode?: 'static' | 'dynamic';
  /** take the vfs snapshot when the program ends (default true) */
  snapshot?: boolean;
  /** ends the run: the worker is terminated and runBox rejects with the signal's reason */
  signal?: AbortSignal;
  /** where worker.js is (default: beside this module) */
  workerUrl?: string | URL;
}

export interface RunResult {
  exitCode: number;
  manifest: Manifest;
  mode: 'static' | 'dynamic';
  /** the vfs's tree at the end of the run (framed image segments), when the box has a vfs */
  snapshot?: Uint8Array;
}

/** The box's manifest; what is wrong with a file that is not a box, as StartError. */
export function boxManifest(bytes: Uint8Array): Manifest {
  try {
    return readManifest(bytes);
  } catch (e) {
    if (e instanceof BoxFormatError) throw new StartError(e.message);
    throw e;
  }
}

/** The mode a box runs in here, or why it cannot run. */
export function chooseMode(manifest: Manifest, wanted?: 'static' | 'dynamic'): 'static' | 'dynamic' {
  if (wanted === 'dynamic' && !manifest.portable) throw new StartError('dynamic mode needs a portable box (link it with --portable)');
  if (wanted) return wanted;
  if (hasMultiMemory() || manifest.singleMemory) return 'static';
  if (manifest.portable) return 'dynamic';
  throw new StartError('this browser cannot run multi-memory WebAssembly and the box is not portable (link it with --portable to run it here in dynamic mode)');
}

export function runBox(bytes: Uint8Array, options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const manifest = boxManifest(bytes);
    const mode = chooseMode(manifest, options.mode);
    if (mode === 'static' && !hasMultiMemory()) throw new StartError('this browser cannot run multi-memory WebAssembly: try dynamic mode on a portable box');
    const queue = options.stdin instanceof StdinQueue ? options.stdin : undefined;
    const shared = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false;
    if (queue && !shared && !queue.ended) {
      throw new StartError('typing into stdin needs SharedArrayBuffer: serve the page with COOP/COEP headers (box serve does), or end the queue before the run');
    }
    let stdin: RunRequest['stdin'];
    const channel = queue && shared ? createChannel() : undefined;
    if (channel) {
      stdin = { channel };
    } else {
      const given = queue ? queue.drain() : options.stdin ?? new Uint8Array(0);
      stdin = { bytes: typeof given === 'string' ? new TextEncoder().encode(given) : (given as Uint8Array) };
    }
    const worker = new Worker(options.workerUrl ?? new URL('./worker.js', import.meta.url), { type: 'module' });
    const finish = (done: () => void) => {
      worker.terminate();
      options.signal?.removeEventListener('abort', abort);
      done();
    };
    const abort = () => finish(() => reject(options.signal!.reason));
    if (options.signal?.aborted) return abort();
    options.signal?.addEventListener('abort', abort);
    worker.onerror = (e) => finish(() => reject(new StartError(`the box's worker failed: ${e.message}`)));
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const m = event.data;
      switch (m.type) {
        case 'output':
          (m.fd === 1 ? options.onStdout : options.onStderr)?.(m.data);
          break;
        case 'stdin-taken':
          queue?.pump();
          break;
        case 'exit':
          finish(() => resolve({ exitCode: m.exitCode, manifest, mode, ...(m.snapshot ? { snapshot: m.snapshot } : {}) }));
          break;
        case 'error':
          finish(() => {
            if (m.kind === 'start') return reject(new StartError(m.message));
            const trap = new TrapError(m.message);
            trap.snapshot = m.snapshot;
            reject(trap);
          });
          break;
      }
    };
    const request: RunRequest = {
      type: 'run', bytes, args: [manifest.entrypoint, ...(options.args ?? [])], env: { ...options.env }, mode, stdin,
      snapshot: options.snapshot ?? true,
    };
    worker.postMessage(request);
    if (channel) queue!.attach(channel);
  });
}

/** The tree a snapshot holds. */
export function snapshotEntries(snapshot: Uint8Array): ImageEntry[] {
  return readSnapshot(snapshot);
}

/** A snapshot as a ustar archive (what the playground downloads). */
export function snapshotTar(snapshot: Uint8Array): Uint8Array {
  return snapshotToTar(readSnapshot(snapshot));
}
