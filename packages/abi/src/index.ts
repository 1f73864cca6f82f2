// The bottom layer of the repository: every other package reads the ABI from
// here rather than restating it.
export * from './table.ts';
export * from './preview1.generated.ts';
export * from './capability.ts';
export * from './controls.ts';
export * from './select.ts';
export * from './box.ts';
export * from './box-app.ts';
export * from './parts.ts';
export * from './bytes.ts';
export * from './authority.ts';
export * from './sections.ts';
export * from './poll-records.ts';
export * from './errors.ts';
export * from './oci.ts';
