// Node builtins that only some runs need, loaded when first used. A static
// import loads a builtin and every module it requires when the runtime
// loads: node:child_process (dgram, net), node:tty (net, the streams) and
// node:worker_threads were 10-15 ms of a plain `box run`'s start-up, for a
// host directory's timestamps, a terminal on stdio and the socket bridge.
// createRequire, not process.getBuiltinModule: the engines field allows
// Node 20 releases that lack it.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const childProcess = (): typeof import('node:child_process') => require('node:child_process');
export const tty = (): typeof import('node:tty') => require('node:tty');
export const os = (): typeof import('node:os') => require('node:os');
export const workerThreads = (): typeof import('node:worker_threads') => require('node:worker_threads');
