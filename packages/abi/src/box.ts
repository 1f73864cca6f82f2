// The box format (DESIGN.md §2): what the linker writes and every runtime reads.

import { checkAuthority } from './authority.ts';
import { BoxFormatError } from './errors.ts';
import { boolean, count, list, object, optional, record, string, type Infer } from './schema.ts';
import { findCustomSection, moduleImports } from './sections.ts';

export { BoxFormatError } from './errors.ts';
export { findCustomSection } from './sections.ts';

/** The manifest format this code writes and the newest it can read. */
export const BOX_FORMAT = 1;

/** Name of the custom section holding the manifest as JSON. */
export const MANIFEST_SECTION = 'box';

/** box build's record of one COPY, ADD, RUN or WORKDIR step's filesystem changes. */
const layerRecord = object({
  /** sha256 of the layer's canonical tar ("sha256:<hex>") */
  digest: string,
  /** the instruction after variable substitution */
  instruction: string,
  /** Dockerfile line (0 for layers inherited from a base box without a record) */
  line: count,
  /** bytes of the layer's tar */
  size: count,
  /** --chown as given: recorded, preview1 has no owners */
  chown: optional(string),
});

/** What a Dockerfile said beyond the filesystem and argv/env/workdir (an OCI image config's counterpart). */
const buildRecord = object({
  /** the base: "scratch" or the base box's file name and sha256 */
  from: string,
  /** the base box's layers first, then this build's */
  layers: list(layerRecord),
  labels: optional(record(string)),
  /** USER: recorded, preview1 has no users */
  user: optional(string),
  /** EXPOSE as written ("8080/tcp") */
  exposed: optional(list(string)),
  /** VOLUME paths (also the box's mount points) */
  volumes: optional(list(string)),
  stopSignal: optional(string),
  /** SHELL, when the Dockerfile set one */
  shell: optional(list(string)),
});

/**
 * The manifest: the one declaration of its fields, giving both the type and
 * the check parseManifest runs (so a damaged box is refused in one line
 * instead of failing somewhere inside a tool).
 */
/** Where a capability's configuration lies in a box: its first data segment, how many, the glue function answering their sizes. */
const placementSchema = object({ first: count, count, sizeFunction: count });

const manifestSchema = object({
  format: count,
  /** capability name -> version, in link order (the kernel first) */
  capabilities: record(object({ version: string })),
  /** argv[0] inside the box */
  entrypoint: string,
  /** default args (replaced by run-time args) */
  args: list(string),
  /** baked environment, KEY=VALUE (overridden key by key at run time) */
  env: list(string),
  /** the working directory inside the box, when not "/" */
  workdir: optional(string),
  /**
   * why the program does not start in `workdir` (no chdir in its name
   * section: stripped, or wasi-libc without cwd support); absent when the
   * box's _start calls the program's chdir before its own _start
   */
  workdirNotApplied: optional(string),
  /** what the baked filesystem image holds */
  image: optional(object({ files: count, dirs: count, symlinks: count, bytes: count })),
  /** where host directories may appear (box run --dir HOST:PATH), when the box has its own filesystem */
  mountPoints: optional(list(string)),
  /** ports the box listens on (--listen, Dockerfile EXPOSE), in preopen order; box run -p HOST:BOX maps host ports to them */
  ports: optional(list(count)),
  /** --clock and --random as given at link time */
  clock: optional(string),
  random: optional(string),
  /** linked with --trace: the traced WASI functions by record id (box.trace.memory holds the records) */
  trace: optional(list(string)),
  /** carries its unmerged parts (box.parts): runs in dynamic mode where multi-memory is missing */
  portable: optional(boolean),
  /** linked with --sealed: argv, env and everything else baked for good */
  sealed: optional(boolean),
  /** capability classes denied with --deny */
  denied: optional(list(string)),
  /** the WASI functions imported from the host: the box's authority */
  hostImports: list(string),
  /** for each host import, the parts that call it ("app", a capability, or "box" for glue) */
  hostImportsBy: record(list(string)),
  /**
   * for each capability whose configuration is state (it publishes the
   * snapshot protocol, as the vfs does with its image): where that
   * configuration lives, as data segments and the glue answering their
   * sizes; box run --commit swaps it, FROM and relink copy it
   */
  configs: optional(record(placementSchema)),
  /** the vfs's placement as boxes linked before `configs` record it (read, never written) */
  vfsImage: optional(placementSchema),
  /** bytes each part contributes after dead-code removal ("box": the linker's glue) */
  sizes: record(object({ functions: count, code: count, data: count })),
  /** for each WASI function the program imports, the capability serving it, or "host" */
  served: record(string),
  /** built from a Dockerfile (box build): its layers and the image config it recorded */
  build: optional(buildRecord),
  /**
   * linked with --single-memory: one memory, laid out in regions (byte base, pages) from the
   * program's at 0; `checked` says the program's accesses are bounds-checked (always, today)
   */
  singleMemory: optional(object({ checked: boolean, regions: record(object({ base: count, pages: count })) })),
});

export type Manifest = Infer<typeof manifestSchema>;
export type LayerRecord = Infer<typeof layerRecord>;
export type BuildRecord = Infer<typeof buildRecord>;

/** Reads and checks a box's manifest; a newer format is refused with a clear message. */
export function readManifest(bytes: Uint8Array): Manifest {
  const section = findCustomSection(bytes, MANIFEST_SECTION);
  if (!section) throw new BoxFormatError('not a box: it has no "box" manifest section (link it with box-link)');
  const manifest = parseManifest(section);
  // The manifest is metadata anyone can rewrite: what it says of authority must be what the module imports.
  checkAuthority(manifest, moduleImports(bytes));
  return manifest;
}

/**
 * The same from the manifest section's payload, for a module already
 * decoded; the caller checks it against the module's imports (checkAuthority).
 */
export function parseManifest(section: Uint8Array): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(section));
  } catch {
    throw new BoxFormatError('the box manifest is not valid JSON');
  }
  const format = typeof parsed === 'object' && parsed !== null ? (parsed as { format?: unknown }).format : undefined;
  if (typeof format !== 'number') throw new BoxFormatError('the box manifest has no format version');
  // The format first: a newer box is refused as newer, not as malformed.
  if (format > BOX_FORMAT) {
    throw new BoxFormatError(`this box uses format ${format}, newer than this runtime reads (${BOX_FORMAT}); upgrade Marcotte`);
  }
  const wrong = manifestSchema.problem(parsed, '');
  if (wrong) throw new BoxFormatError(`the box manifest is malformed: ${wrong}`);
  return parsed as Manifest;
}

/** Where a capability's configuration segments live in a box (placementSchema). */
export type ConfigPlacement = Infer<typeof placementSchema>;

/**
 * The placement a manifest records for `cap`'s configuration: its entry in
 * `configs`, or, in a box linked before that field, `vfsImage` for the vfs.
 * Own keys only: a capability named like an Object method finds nothing.
 */
export function configPlacementOf(manifest: Manifest, cap: string): ConfigPlacement | undefined {
  if (manifest.configs) return Object.hasOwn(manifest.configs, cap) ? manifest.configs[cap] : undefined;
  return cap === 'vfs' ? manifest.vfsImage : undefined;
}

/**
 * The manifest field recording where the linker placed the configuration of
 * each capability that keeps state in it (`stateful`: those publishing the
 * snapshot protocol); configPlacementOf reads it back. Settings such as
 * args or a clock mode are not recorded: a relink makes them anew.
 */
export function configPlacementFields(placements: Readonly<Record<string, ConfigPlacement>>, stateful: readonly string[]): Pick<Manifest, 'configs'> {
  const configs = Object.fromEntries(stateful.filter((cap) => Object.hasOwn(placements, cap)).map((cap) => [cap, placements[cap]!]));
  return Object.keys(configs).length ? { configs } : {};
}

/**
 * Whether the box links its own filesystem (a capability declaring
 * `filesystem`): host directories then enter only at its mount points.
 * Format 1 records capabilities by name only, and the one filesystem
 * capability is the vfs, as with configPlacementOf.
 */
export function hasOwnFilesystem(manifest: Manifest): boolean {
  return manifest.capabilities.vfs !== undefined;
}
