// What runBoxIsolated (isolated.ts) and its worker (box-worker.ts) send each other.

import type { RunOptions, RunResult } from './node.ts';
import type { SocketChannel } from './socket-bridge.ts';

/** The run's outcome, the worker's last message. */
export type Reply =
  | { ok: true; result: RunResult }
  | { ok: false; kind: string; message: string; snapshot?: Uint8Array | undefined };

/** What the worker gets: host fds stay numbers; callbacks and streams stay with the caller and are fed from its messages. */
export interface WorkerRun extends Omit<RunOptions, 'trace' | 'onOutput' | 'sockets'> {
  trace?: boolean;
  /** stdout / stderr go back to the caller's thread as messages */
  pipe?: { 1: boolean; 2: boolean };
  /** make the program's loops interruptible and send the flag back (a time limit with a snapshot or a trace) */
  interruptible?: boolean;
}

export interface WorkerData {
  bytes: Uint8Array;
  run: WorkerRun;
  sockets?: SocketChannel;
  /** stdin, read by the caller's thread (stdin-channel.ts) */
  stdin?: SharedArrayBuffer;
  /** the caller's compile cache directory, when it has one: the worker uses it too */
  compileCache?: string;
}

export type Message =
  | Reply
  | { output: 1 | 2; bytes: Uint8Array }
  | { interrupt: SharedArrayBuffer }
  /** the box waits for stdin: the caller's thread reads the next chunk */
  | { stdin: 'want' };
