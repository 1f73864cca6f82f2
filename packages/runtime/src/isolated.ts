// Running a box in a worker thread, so the host stays in charge while the
// program runs: a time limit or a signal ends the box at once (a Wasm loop
// on the main thread could not be interrupted). The worker is this same
// module (or the bundle it is part of), started with a marker in workerData.

import { writeSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { LimitError, StartError, TrapError } from './errors.ts';
import { NetBridge, type Publish } from './bridge.ts';
import { readManifest } from '@marcotte/abi';

export { LimitError };
import { runBox, type RunOptions, type RunResult } from './node.ts';
import type { SocketChannel } from './socket-host.ts';

/** A signal ended the box: `box run` exits 128 + the signal number (130 for SIGINT, 143 for SIGTERM). */
export class SignalError extends Error {
  override name = 'SignalError';
  readonly exitCode: number;
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`ended by ${signal}`);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

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

const MARKER = 'marcotte-box-run';

type Reply =
  | { ok: true; result: RunResult }
  | { ok: false; kind: string; message: string; snapshot?: Uint8Array | undefined };

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

/** What the worker gets: host fds stay numbers; callbacks and streams stay here and are fed from its messages. */
interface WorkerRun extends Omit<RunOptions, 'trace' | 'onOutput' | 'sockets'> {
  trace?: boolean;
  /** stdout / stderr go back to this thread as messages */
  pipe?: { 1: boolean; 2: boolean };
  /** make the program's loops interruptible and send the flag back (a time limit with a snapshot or a trace) */
  interruptible?: boolean;
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

type Message = Reply | { output: 1 | 2; bytes: Uint8Array } | { interrupt: SharedArrayBuffer };

/** How long an interrupted box has to reach one of its loops before its thread is ended. */
const INTERRUPT_GRACE_MS = 2000;

function runInWorker(
  bytes: Uint8Array, options: Omit<IsolatedOptions, 'timeoutMs' | 'handleSignals' | 'publish' | 'onListening' | 'signal'>,
  timeoutMs: number | undefined, handleSignals: boolean | undefined, bridge: NetBridge | undefined, signal?: AbortSignal,
): Promise<RunResult> {
  const { run: plain, sinks } = workerRun(options);
  // Worth re-encoding the box only when an interrupted run has something to keep: its files or its trace.
  const run: WorkerRun = timeoutMs !== undefined && (plain.snapshot || plain.trace) ? { ...plain, interruptible: true } : plain;
  return new Promise((resolve, reject) => {
    // node:wasi announces itself as experimental in every thread that loads it.
    const sockets = bridge?.channel;
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { [MARKER]: true, bytes, run, ...(sockets ? { sockets } : {}) },
      transferList: sockets ? [sockets.port] : [],
      execArgv: ['--no-warnings'],
    });
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const end = (error: Error) => finish(() => {
      void worker.terminate();
      reject(error);
    });
    const timeLimit = () => new LimitError(`time limit of ${timeoutMs! / 1000}s reached`);
    // An interruptible box is asked to stop first, so that what it wrote can be kept; one that does
    // not stop within the grace time (blocked in a host call) ends as any other.
    let interrupt: Int32Array | undefined;
    let interrupted = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const onTimeout = () => {
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
      else onReply(message);
    });
    const onReply = (reply: Reply) => finish(() => {
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
    });
    worker.once('error', (e) => end(e));
    worker.once('exit', (code) => end(new Error(`the box's worker stopped unexpectedly (exit ${code})`)));
  });
}

async function workerMain(): Promise<void> {
  const { bytes, run, sockets } = workerData as { bytes: Uint8Array; run: WorkerRun; sockets?: SocketChannel };
  const { trace, pipe, interruptible, ...rest } = run;
  // captureOutput copies into a fresh buffer: hand it over rather than copy it again.
  const post = (fd: 1 | 2, bytes: Uint8Array) => parentPort!.postMessage({ output: fd, bytes }, [bytes.buffer as ArrayBuffer]);
  const onOutput = pipe ? (fd: 1 | 2, bytes: Uint8Array) => (pipe[fd] ? post(fd, bytes) : writeSync(fd === 1 ? run.stdout ?? 1 : run.stderr ?? 2, bytes)) : undefined;
  // Where stderr goes, in order with what the program itself writes there.
  const traceLine = (line: string) => (pipe?.[2] ? post(2, new TextEncoder().encode(`${line}\n`)) : writeSync(run.stderr ?? 2, `${line}\n`));
  const options: RunOptions = {
    ...rest, ...(trace ? { trace: traceLine } : {}), ...(onOutput ? { onOutput } : {}), ...(sockets ? { sockets } : {}),
    ...(interruptible ? { onInterruptible: (flag: SharedArrayBuffer) => parentPort!.postMessage({ interrupt: flag }) } : {}),
  };
  let reply: Reply;
  try {
    reply = { ok: true, result: await runBox(bytes, options) };
  } catch (e) {
    const error = e as Error;
    reply = {
      ok: false,
      kind: error instanceof StartError ? 'StartError' : error instanceof TrapError ? 'TrapError' : error.name,
      message: error.message,
      ...((error instanceof TrapError || error instanceof LimitError) && error.snapshot ? { snapshot: error.snapshot } : {}),
    };
  }
  parentPort!.postMessage(reply);
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[MARKER]) await workerMain();
