// What a capability package declares about itself, as data. The linker,
// `box inspect`, the docs and the conformance report all read these
// descriptors; nothing capability-specific lives in the linker.

/** How far a capability implements one preview1 function. */
export type Support =
  | { status: 'supported' }
  | { status: 'partial'; note: string }
  | { status: 'unsupported'; note: string };

/** One node of a filesystem image, as the vfs bakes it. */
export interface ImageEntry {
  /** absolute, normalized: "/", "/etc", "/etc/passwd" */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** file contents */
  data?: Uint8Array;
  /** symlink target, as written */
  target?: string;
  /** permission bits (recorded: preview1 has no modes) */
  mode?: number;
  /** modification time, ns since the Unix epoch */
  mtime?: bigint;
}

/** Link-time settings every capability may read (DESIGN.md §2.5; box-link's options, §5). */
export interface LinkSettings {
  /** argv[0] inside the box: the program's file name for box-link, the entrypoint for box build. */
  entrypoint: string;
  /** default args, used when none are given at run time */
  args: readonly string[];
  /** baked environment, KEY=VALUE */
  env: readonly string[];
  /** the working directory inside the box (default "/") */
  workdir?: string;
  /** the filesystem image (vfs) */
  image?: readonly ImageEntry[];
  /** where host directories may appear at run time (box run --dir HOST:PATH); the vfs creates them */
  mountPoints?: readonly string[];
  /** --clock as given: host | fixed:<RFC 3339> | offset:<duration> */
  clock?: string;
  /** --random as given: host | seed:<u64> */
  random?: string;
  /** box ports the box listens on (--listen, Dockerfile EXPOSE), in order: preopened listening sockets after the directories */
  listen?: readonly number[];
  /** the vfs's link-time limits (box-link and box build --vfs-*); each absent one keeps the vfs's default */
  vfsLimits?: VfsLimits;
}

/** The vfs's link-time limits, baked into its image header (vfs README "Limits and memory"). */
export interface VfsLimits {
  /** bytes of file contents the program may add beyond the image's (ENOSPC) */
  quota?: number;
  /** bytes of metadata (names, inodes, symlink targets) the program may add (ENOSPC) */
  maxMeta?: number;
  /** largest single file in bytes (EFBIG) */
  maxFileSize?: number;
  /** longest path in bytes, as an argument and as any node's absolute path (ENAMETOOLONG) */
  maxPath?: number;
  /** open vfs handles (EMFILE) */
  maxHandles?: number;
  /** 64 KiB pages the vfs memory may reach (ENOSPC) */
  maxPages?: number;
}

/**
 * The link options that can ask for a capability (box-link's, by their JS API
 * names): the switches that name one, and the settings only one can serve.
 */
export type CapabilityOption =
  | 'fs' | 'image' | 'workdir' | 'mountPoints' | 'vfsLimits'
  | 'net' | 'listen'
  | 'proc' | 'sealed' | 'env' | 'args'
  | 'clock' | 'random';

/** What makes a box get a capability (selectCapabilities, DESIGN.md §1). */
export interface ImpliedBy {
  /** every box gets it (the kernel) */
  readonly always?: boolean;
  /** any of these link options, given, asks for it */
  readonly options?: readonly CapabilityOption[];
  /** the program importing any of these preview1 functions asks for it where imports decide (box build); a name ending in `_` stands for its family */
  readonly imports?: readonly string[];
}

export interface CapabilityDescriptor {
  /** short name: the module name other capabilities import it by is `box:<name>` */
  readonly name: string;
  readonly version: string;
  /** the compiled AssemblyScript module */
  wasm(): Uint8Array;
  /** preview1 functions this capability serves inside the box (it exports them under these names) */
  readonly provides: readonly string[];
  /** what makes a box get this capability; without it, none does */
  readonly impliedBy?: ImpliedBy;
  /** exported function the box's _start wrapper calls, in link order, before the program */
  readonly init?: string;
  /**
   * exports the linker publishes as `box.<name>.<export>`: the runtime's control surface (DESIGN.md §2.1);
   * the hosts act on those that are protocols (controls.ts: snapshot, memory_limit), never on the name
   */
  readonly control?: readonly string[];
  /**
   * the box's own filesystem: the image (LinkSettings.image) is its configuration and the manifest's
   * `image` summarises it, and host directories enter only at its mount points, so without any the box
   * imports none of the host's path calls (DESIGN.md §4)
   */
  readonly filesystem?: boolean;
  /**
   * single memory (DESIGN.md §2.7): the pages its region reserves, given the settings and the bytes of its
   * configuration; without it, 4 MiB or twice its initial memory and configuration, whichever is larger
   */
  regionPages?(settings: LinkSettings, configBytes: number): number;
  /** support table: one entry per function in `provides` */
  readonly support: Readonly<Record<string, Support>>;
  /**
   * Passive data segments delivered to the module through its `box:config`
   * imports: `size(segment) -> u32` and `copy(segment, dst, offset, len)`.
   * They cost nothing until copied, so an image's file bytes can live here.
   * Settings it cannot take are refused with a plain Error saying why (the
   * linker reports it as bad input, a LinkError).
   */
  config?(settings: LinkSettings): Uint8Array[];
}
