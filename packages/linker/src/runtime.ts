// What the runtime takes from the linker to run a box (the import check, --timeout's interrupt
// flag, --memory's rewrite, dynamic mode's working directory), as the subpath
// @marcotte/linker/runtime: the index re-exports the whole linker, and a bundle that imports
// it evaluates every module of it (merge, link, single-memory, ...) at each box run's start.

export { interruptible, INTERRUPT_EXPORT } from './interrupt.ts';
export { LinkError } from './errors.ts';
export { readModule } from './binary/reader.ts';
export { writeModule } from './binary/writer.ts';
export type { Module } from './binary/module.ts';
export { wasiImportProblem } from './host-imports.ts';
export { cwdFunctions, type CwdFunctions } from './workdir.ts';
export { SINGLE_MEMORY_LIMIT_EXPORT, SINGLE_MEMORY_PAGES_EXPORT } from './single-memory-names.ts';
