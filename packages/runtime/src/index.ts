export { runBox, loadBox, type RunOptions, type RunResult } from './node.ts';
export { takeSnapshot } from './control.ts';
export { hasMultiMemory, MULTI_MEMORY_ADVICE } from './features.ts';
export { LimitError, SignalError, StartError, TrapError } from './errors.ts';
export { boxAppImports, boxConfigImports } from '@marcotte/abi';
export { runBoxIsolated, type IsolatedOptions } from './isolated.ts';
export { liveBoxThreads } from './box-threads.ts';
export { NetBridge, type Publish } from './bridge.ts';
export { readTrace, formatCall } from './trace.ts';
