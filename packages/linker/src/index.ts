export { link, commitImage, imageSummary, DENY_CLASSES, type LinkOptions, type LinkResult } from './link.ts';
export { imageSegments, relink, type RelinkOptions } from './relink.ts';
export { interruptible, INTERRUPT_EXPORT } from './interrupt.ts';
export { merge, type CapabilityPart, type MergeResult } from './merge.ts';
export { LinkError } from './errors.ts';
export { readModule } from './binary/reader.ts';
export { writeModule } from './binary/writer.ts';
export { WasmFormatError } from './binary/errors.ts';
export type { Module } from './binary/module.ts';
