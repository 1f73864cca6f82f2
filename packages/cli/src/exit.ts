// How `box` ends its process. Process exit waits for every worker thread,
// and a box's thread stuck in a host call that worker.terminate() cannot
// interrupt (node:wasi's own locks; a write to a pipe nobody reads) would
// hold `box run` past its limit or a signal. Then the process ends by the
// signal whose shell status (128 + n) is the exit code: SIGKILL for 137,
// SIGTERM for 143, SIGINT for 130.

import { liveBoxThreads } from '@marcotte/runtime/box-threads';

const SIGNAL_FOR: Record<number, NodeJS.Signals> = { 130: 'SIGINT', 143: 'SIGTERM' };

/** Ends the CLI with `code` once its output is out (stdio writes to files, pipes and terminals are synchronous on POSIX). */
export function endProcess(code: number): void {
  process.exitCode = code;
  if (liveBoxThreads() === 0) return;
  const signal = SIGNAL_FOR[code] ?? 'SIGKILL';
  // With no listener left, the signal takes its default action: the process ends without waiting for threads.
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}
