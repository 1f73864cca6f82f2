// The body of the worker thread that runs one box (box-worker.ts loads it).

import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LimitError, StartError, TrapError } from './errors.ts';
import { runBox, type RunOptions } from './node.ts';
import { stdinChannel } from './stdin-channel.ts';
import type { Reply, WorkerData } from './worker-protocol.ts';

async function workerMain(): Promise<void> {
  const { bytes, run, sockets, stdin } = workerData as WorkerData;
  const { trace, pipe, interruptible, ...rest } = run;
  // captureOutput copies into a fresh buffer: hand it over rather than copy it again.
  const post = (fd: 1 | 2, bytes: Uint8Array) => parentPort!.postMessage({ output: fd, bytes }, [bytes.buffer as ArrayBuffer]);
  const onOutput = pipe ? (fd: 1 | 2, bytes: Uint8Array) => (pipe[fd] ? post(fd, bytes) : writeSync(fd === 1 ? run.stdout ?? 1 : run.stderr ?? 2, bytes)) : undefined;
  // Where stderr goes, in order with what the program itself writes there.
  const traceLine = (line: string) => (pipe?.[2] ? post(2, new TextEncoder().encode(`${line}\n`)) : writeSync(run.stderr ?? 2, `${line}\n`));
  const options: RunOptions = {
    ...rest, ...(trace ? { trace: traceLine } : {}), ...(onOutput ? { onOutput } : {}), ...(sockets ? { sockets } : {}),
    ...(stdin ? { stdinChannel: stdinChannel(stdin, () => parentPort!.postMessage({ stdin: 'want' })) } : {}),
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

await workerMain();
