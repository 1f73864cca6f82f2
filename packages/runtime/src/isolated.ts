// Running a box in a worker thread, so the host stays in charge while the
// program runs: a time limit or a signal ends the box at once (a Wasm loop
// on the main thread could not be interrupted). The worker is
// box-worker.ts. A run settles once its thread is gone: the host calls that
// wait (sleeps, stdin) wait in Atomics.wait, which worker.terminate() ends;
// a thread stuck in some other host call past THREAD_GRACE_MS is counted by
// liveBoxThreads(), so that a CLI can end its process anyway.

import { Worker } from 'node:worker_threads';
import { LimitError, SignalError, StartError, TrapError } from './errors.ts';
import { live } from './box-threads.ts';
import { blockingStdio } from './stdio.ts';
import type { NetBridge, Publish } from './bridge.ts';
import { readManifest } from '@marcotte/abi';
import type { RunOptions, RunResult } from './node.ts';
import type { Message, Reply, WorkerRun } from './worker-protocol.ts';
import { StdinFeed } from './stdin-channel.ts';

export { LimitError, SignalError };
export { liveBoxThreads } from './box-threads.ts';

/** Where a stream of the box goes: a host fd, a callback, or a writable stream (process.stdout, a file stream …). */
export type OutputSink = number | ((bytes: Uint8Array) => void) | NodeJS.WritableStream;

export interface IsolatedOptions extends Omit<RunOptions, 'trace' | 'stdin' | 'stdout' | 'stderr' | 'onOutput' | 'input'> {
  /** a host fd (default 0), or the whole input as bytes or text (then end of file) */
  stdin?: number | Uint8Array | string;
  stdout?: OutputSink;
  stderr?: OutputSink;
  /** print the program's WASI calls to stderr (a box linked with --trace, or a portable one) */
  trace?: boolean;
  /** wall-clock limit in milliseconds */
  timeoutMs?: number;
  /** end the box on SIGINT / SIGTERM instead of leaving them to the process */
  handleSignals?: boolean;
  /** host ports to connect to the box's listening sockets (box run -p HOST:BOX) */
  publish?: readonly Publish[];
  /** called once every -p port listens, with the host ports bound (in publish order) */
  onListening?: (ports: number[]) => void;
  /** ends the box when aborted (a server that never exits); the run rejects with the signal's reason */
  signal?: AbortSignal;
}

/**
 * The box's listening sockets on the host, when it has any: every port it
 * listens on gets a listener (so its fds are numbered as --listen declared),
 * and the host ports of `publish` connect to them. A box linked without net
 * passes sock_* through to its host: there, each -p mapping is a host
 * listening socket in -p order, as wasmtime --tcplisten would give it.
 */
async function openBridge(bytes: Uint8Array, publish: readonly Publish[]): Promise<NetBridge | undefined> {
  let ports: readonly number[] = [];
  try {
    const manifest = readManifest(bytes);
    ports = manifest.capabilities.net ? manifest.ports ?? [] : publish.map((p) => p.box);
  } catch {
    // the worker says what is wrong with the box
  }
  if (ports.length === 0 && publish.length === 0) return undefined;
  // node:net loads with the bridge: only for a box with ports.
  const { NetBridge } = await import('./bridge.ts');
  return NetBridge.open(ports, publish);
}

export async function runBoxIsolated(bytes: Uint8Array, options: IsolatedOptions = {}): Promise<RunResult> {
  const { timeoutMs, handleSignals, publish, onListening, signal, ...run } = options;
  const bridge = await openBridge(bytes, publish ?? []);
  if (bridge) onListening?.(bridge.boundPorts);
  try {
    return await runInWorker(bytes, run, timeoutMs, handleSignals, bridge, signal);
  } finally {
    // The box has ended: every socket it had closes with it.
    bridge?.close();
  }
}

type Sink = (bytes: Uint8Array) => void;

function toSink(out: OutputSink): Sink {
  if (typeof out === 'function') return out;
  return (bytes) => (out as NodeJS.WritableStream).write(bytes);
}

function workerRun(run: Omit<IsolatedOptions, 'timeoutMs' | 'handleSignals' | 'publish' | 'onListening' | 'signal'>): { run: WorkerRun; sinks: Partial<Record<1 | 2, Sink>> } {
  const { stdin, stdout, stderr, ...rest } = run;
  const sinks: Partial<Record<1 | 2, Sink>> = {};
  if (stdout !== undefined && typeof stdout !== 'number') sinks[1] = toSink(stdout);
  if (stderr !== undefined && typeof stderr !== 'number') sinks[2] = toSink(stderr);
  return {
    sinks,
    run: {
      ...rest,
      ...(typeof stdout === 'number' ? { stdout } : {}),
      ...(typeof stderr === 'number' ? { stderr } : {}),
      ...(typeof stdin === 'number' ? { stdin } : stdin === undefined ? {} : { input: typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin }),
      ...(sinks[1] || sinks[2] ? { pipe: { 1: sinks[1] !== undefined, 2: sinks[2] !== undefined } } : {}),
    },
  };
}

/** How long an interrupted box has to reach one of its loops before its thread is ended. */
const INTERRUPT_GRACE_MS = 2000;
/** How long a terminated thread has to go before the run settles without it (it is then stuck in a host call). */
const THREAD_GRACE_MS = 2000;

/** The worker's script: beside this module, or (as box-worker.js) beside the CLI bundle this module is part of. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './box-worker.ts' : './box-worker.js', import.meta.url);

function runInWorker(
  bytes: Uint8Array, options: Omit<IsolatedOptions, 'timeoutMs' | 'handleSignals' | 'publish' | 'onListening' | 'signal'>,
  timeoutMs: number | undefined, handleSignals: boolean | undefined, bridge: NetBridge | undefined, signal?: AbortSignal,
): Promise<RunResult> {
  const { run: plain, sinks } = workerRun(options);
  // Worth re-encoding the box only when an interrupted run has something to keep: its files or its trace.
  const run: WorkerRun = timeoutMs !== undefined && (plain.snapshot || plain.trace) ? { ...plain, interruptible: true } : plain;
  // A stdin that can block (a pipe, a terminal) is read on this thread and handed over, so the worker waits in Atomics.wait.
  const stdin = run.input === undefined ? StdinFeed.forFd(run.stdin ?? 0) : undefined;
  // The box's thread writes these host fds itself: they must block, not answer EAGAIN.
  blockingStdio([...(run.pipe?.[1] ? [] : [run.stdout ?? 1]), ...(run.pipe?.[2] ? [] : [run.stderr ?? 2])]);
  // The worker loads the runtime again: through the compile cache this thread uses, when it has one
  // (Node keeps the worker's entries in a subdirectory of it; each is checked against its source).
  const compileCache = process.getBuiltinModule?.('node:module').getCompileCacheDir?.();
  return new Promise((resolve, reject) => {
    const sockets = bridge?.channel;
    const worker = new Worker(WORKER_URL, {
      workerData: { bytes, run, ...(sockets ? { sockets } : {}), ...(stdin ? { stdin: stdin.channel } : {}), ...(compileCache ? { compileCache } : {}) },
      transferList: sockets ? [sockets.port] : [],
      // node:wasi announces itself as experimental in every thread that loads it.
      execArgv: ['--no-warnings'],
    });
    live.add(worker);
    // The outcome is decided once, by the first of: the box's reply, a limit, a signal, an abort, a crash.
    let outcome: { reply: Reply } | { error: Error } | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      clearTimeout(gone);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      stdin?.close();
      if (outcome && 'reply' in outcome) fromReply(outcome.reply);
      else reject(outcome?.error ?? new Error('the box\'s worker stopped unexpectedly'));
    };
    // The thread is ended whatever decided the outcome; the run settles when it is gone (or stuck).
    let gone: ReturnType<typeof setTimeout> | undefined;
    const decide = (o: { reply: Reply } | { error: Error }) => {
      if (outcome) return;
      outcome = o;
      void worker.terminate();
      gone = setTimeout(settle, THREAD_GRACE_MS);
    };
    const end = (error: Error) => decide({ error });
    // An uncaught error in the worker is followed by its exit, which first delivers every message it
    // sent: a reply the box sent before the error is the outcome, not the error.
    let crash: Error | undefined;
    worker.once('error', (e) => {
      crash = e;
    });
    worker.once('exit', (code) => {
      live.delete(worker);
      if (!outcome) outcome = { error: crash ?? new Error(`the box's worker stopped unexpectedly (exit ${code})`) };
      settle();
    });
    const timeLimit = () => new LimitError(`time limit of ${timeoutMs! / 1000}s reached`);
    // An interruptible box is asked to stop first, so that what it wrote can be kept; one that does
    // not stop within the grace time (blocked in a host call) ends as any other.
    let interrupt: Int32Array | undefined;
    let interrupted = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const onTimeout = () => {
      if (outcome) return; // the box replied first: its thread is going
      if (!interrupt) return end(timeLimit());
      interrupted = true;
      Atomics.store(interrupt, 0, 1);
      grace = setTimeout(() => end(timeLimit()), INTERRUPT_GRACE_MS);
    };
    const timer = timeoutMs === undefined ? undefined : setTimeout(onTimeout, timeoutMs);
    const onInt = () => end(new SignalError('SIGINT'));
    const onTerm = () => end(new SignalError('SIGTERM'));
    const onAbort = () => end(signal!.reason instanceof Error ? signal!.reason : new Error('the box was stopped'));
    signal?.addEventListener('abort', onAbort);
    if (handleSignals) {
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
    }
    // Output arrives as messages before the reply, in the order the program wrote it.
    worker.on('message', (message: Message) => {
      if ('output' in message) sinks[message.output]?.(message.bytes);
      else if ('interrupt' in message) interrupt = new Int32Array(message.interrupt);
      else if ('stdin' in message) stdin?.want();
      else decide({ reply: message });
    });
    const fromReply = (reply: Reply) => {
      if (interrupted) {
        // Stopped by the time limit (or finished as it struck): the limit is what ended the run.
        const limit = timeLimit();
        limit.snapshot = reply.ok ? reply.result.snapshot : reply.snapshot;
        reject(limit);
      } else if (reply.ok) resolve(reply.result);
      else if (reply.kind === 'TrapError') {
        const trap = new TrapError(reply.message);
        trap.snapshot = reply.snapshot;
        reject(trap);
      } else if (reply.kind === 'LimitError') {
        const limit = new LimitError(reply.message);
        limit.snapshot = reply.snapshot;
        reject(limit);
      }
      else reject(reply.kind === 'StartError' ? new StartError(reply.message) : new Error(reply.message));
    };
  });
}
