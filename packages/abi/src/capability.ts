// What a capability package declares about itself, as data. The linker,
// `box inspect`, the docs and the conformance report all read these
// descriptors; nothing capability-specific lives in the linker.

/** How far a capability implements one preview1 function. */
export type Support =
  | { status: 'supported' }
  | { status: 'partial'; note: string }
  | { status: 'unsupported'; note: string };

/** Link-time settings every capability may read (DESIGN.md §5). */
export interface LinkSettings {
  /** argv[0] inside the box: the program's file name for box-link, the entrypoint for box build. */
  entrypoint: string;
  /** default args, used when none are given at run time */
  args: readonly string[];
  /** baked environment, KEY=VALUE */
  env: readonly string[];
}

export interface CapabilityDescriptor {
  /** short name: the module name other capabilities import it by is `box:<name>` */
  readonly name: string;
  readonly version: string;
  /** the compiled AssemblyScript module */
  wasm(): Uint8Array;
  /** preview1 functions this capability serves inside the box (it exports them under these names) */
  readonly provides: readonly string[];
  /** exported function the box's _start wrapper calls, in link order, before the program */
  readonly init?: string;
  /** support table: one entry per function in `provides` */
  readonly support: Readonly<Record<string, Support>>;
  /** bytes delivered to the module through its `box:config` imports (size, copy) */
  config?(settings: LinkSettings): Uint8Array;
}
