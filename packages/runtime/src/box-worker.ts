// The worker thread that runs one box for runBoxIsolated (isolated.ts). It
// is its own entry, so the thread evaluates only the runtime: started as the
// module that spawned it (or the CLI bundle that module is part of), it ran
// every other module's top-level code as well, some of which acts on a
// process's argv (conformance/runner/child.ts reads argv[2], undefined in a
// worker): its error raced the box's reply and now and then won.

// The runtime's modules are imported here, after the worker turned on the
// compile cache its parent uses (Node's cache is per thread: without this the
// worker compiled the runtime, the linker's reader and the abi from source on
// every run).

import { workerData } from 'node:worker_threads';
import type { WorkerData } from './worker-protocol.ts';

const { compileCache } = workerData as WorkerData;
// (process.getBuiltinModule: Node releases without it, or without the cache, just compile.)
if (compileCache) process.getBuiltinModule?.('node:module').enableCompileCache?.(compileCache);
await import('./box-worker-run.ts');
