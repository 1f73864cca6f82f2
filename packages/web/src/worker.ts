// The Web Worker a box runs in: a blocking fd_read waits here (Atomics.wait)
// while the page stays responsive. Static mode instantiates the merged
// multi-memory module; dynamic mode wires a portable box's parts in JS with
// the runtime's own dynamic.ts (it has no Node imports).

import { decodeParts, findCustomSection, hostImportNames, PARTS_SECTION } from '@marcotte/abi';
import { wasiImportProblem } from '@marcotte/linker';
import { controlSurface, takeSnapshot } from '@marcotte/runtime/control';
import { instantiateParts } from '@marcotte/runtime/dynamic';
import { trapFrames } from '@marcotte/runtime/trap-frames';
import { createHost, ProcExit } from './host.ts';
import type { RunRequest, WorkerMessage } from './protocol.ts';
import { bytesSource, channelSource } from './stdin.ts';

const post = (message: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

class StartFailure extends Error {}

/** A sleep that blocks this thread: Atomics.wait on a private word, or a busy loop without shared memory. */
function sleep(ms: number): void {
  if (typeof SharedArrayBuffer === 'function') {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return;
  }
  const end = performance.now() + ms;
  while (performance.now() < end) { /* no shared memory: nothing else can wait */ }
}

async function run(request: RunRequest): Promise<void> {
  let memory: WebAssembly.Memory | undefined;
  const stdin = 'channel' in request.stdin
    ? channelSource(request.stdin.channel, () => post({ type: 'stdin-taken' }))
    : bytesSource(request.stdin.bytes);
  const host = createHost({
    args: request.args,
    env: request.env,
    memory: () => memory!,
    write: (fd, data) => post({ type: 'output', fd, data }, [data.buffer as ArrayBuffer]),
    stdin,
    sleep,
  });
  let start: () => void;
  let control: WebAssembly.Exports = {};
  try {
    if (request.mode === 'dynamic') {
      const section = findCustomSection(request.bytes, PARTS_SECTION);
      if (!section) throw new StartFailure('dynamic mode needs a portable box (link it with --portable)');
      const { exports, capabilities } = await instantiateParts(decodeParts(section), host as never, hostImportNames(request.bytes));
      memory = exports.memory;
      start = exports._start;
      control = controlSurface(capabilities);
    } else {
      const problem = wasiImportProblem(request.bytes);
      if (problem) throw new StartFailure(`the box does not follow preview1: ${problem}`);
      const { instance } = await WebAssembly.instantiate(request.bytes as Uint8Array<ArrayBuffer>, { wasi_snapshot_preview1: host });
      memory = instance.exports.memory as WebAssembly.Memory;
      start = (instance.exports._start ?? instance.exports._initialize) as () => void;
      control = instance.exports;
    }
  } catch (e) {
    const message = e instanceof StartFailure ? e.message : `the box cannot be instantiated: ${(e as Error).message}`;
    post({ type: 'error', kind: 'start', message });
    return;
  }
  // The first capability with a snapshot (abi controls.ts): the vfs's tree.
  const snapshot = () => (request.snapshot ? takeSnapshot(control)?.bytes : undefined);
  let exitCode = 0;
  try {
    start();
  } catch (e) {
    if (e instanceof ProcExit) {
      exitCode = e.code;
    } else if (e instanceof WebAssembly.RuntimeError) {
      // The capabilities' memories are intact after a trap in the program: the snapshot still tells what it wrote.
      post({ type: 'error', kind: 'trap', message: `the box trapped: ${e.message}${trapFrames(e)}`, snapshot: snapshot() });
      return;
    } else {
      throw e;
    }
  }
  post({ type: 'exit', exitCode, snapshot: snapshot() });
}

self.onmessage = (event: MessageEvent<RunRequest>) => {
  if (event.data?.type !== 'run') return;
  run(event.data).catch((e: unknown) => post({ type: 'error', kind: 'trap', message: `the box failed: ${(e as Error).message ?? e}` }));
};
