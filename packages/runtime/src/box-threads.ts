// The box threads runBoxIsolated started, in a module of their own: `box`
// asks how many are left when it ends its process, and that must not load
// the worker machinery (worker_threads, the socket bridge) for a command
// that never started one.

import type { Worker } from 'node:worker_threads';

/** Threads started by runBoxIsolated that have not ended yet. */
export const live = new Set<Worker>();

/**
 * How many box threads are still running: 0 once every run has settled,
 * unless one was stuck in a host call that worker.terminate() cannot
 * interrupt. Process exit waits for such a thread; `box run` ends its
 * process by a signal instead.
 */
export function liveBoxThreads(): number {
  return live.size;
}
