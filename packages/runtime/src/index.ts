export { runBox, loadBox, takeVfsSnapshot, type RunOptions, type RunResult } from './node.ts';
export { hasMultiMemory, MULTI_MEMORY_ADVICE } from './features.ts';
export { LimitError, StartError, TrapError } from './errors.ts';
export { boxAppImports, boxConfigImports } from '@marcotte/abi';
export { liveBoxThreads, runBoxIsolated, SignalError, type IsolatedOptions } from './isolated.ts';
export { NetBridge, type Publish } from './bridge.ts';
export { readTrace, formatCall } from './trace.ts';
