// The box format (DESIGN.md §2): what the linker writes and every runtime reads.

import { checkAuthority } from './authority.ts';
import { BoxFormatError } from './errors.ts';
import { findCustomSection, moduleImports } from './sections.ts';

export { BoxFormatError } from './errors.ts';
export { findCustomSection } from './sections.ts';

/** The manifest format this code writes and the newest it can read. */
export const BOX_FORMAT = 1;

/** Name of the custom section holding the manifest as JSON. */
export const MANIFEST_SECTION = 'box';

export interface Manifest {
  format: number;
  /** capability name -> version, in link order (the kernel first) */
  capabilities: Record<string, { version: string }>;
  /** argv[0] inside the box */
  entrypoint: string;
  /** default args (replaced by run-time args) */
  args: string[];
  /** baked environment, KEY=VALUE (overridden key by key at run time) */
  env: string[];
  /** the working directory inside the box, when not "/" */
  workdir?: string;
  /**
   * why the program does not start in `workdir` (no chdir in its name
   * section: stripped, or wasi-libc without cwd support); absent when the
   * box's _start calls the program's chdir before its own _start
   */
  workdirNotApplied?: string;
  /** what the baked filesystem image holds */
  image?: { files: number; dirs: number; symlinks: number; bytes: number };
  /** where host directories may appear (box run --dir HOST:PATH), when the box has its own filesystem */
  mountPoints?: string[];
  /** ports the box listens on (--listen, Dockerfile EXPOSE), in preopen order; box run -p HOST:BOX maps host ports to them */
  ports?: number[];
  /** --clock and --random as given at link time */
  clock?: string;
  random?: string;
  /** linked with --trace: the traced WASI functions by record id (box.trace.memory holds the records) */
  trace?: string[];
  /** carries its unmerged parts (box.parts): runs in dynamic mode where multi-memory is missing */
  portable?: boolean;
  /** linked with --sealed: argv, env and everything else baked for good */
  sealed?: boolean;
  /** capability classes denied with --deny */
  denied?: string[];
  /** the WASI functions imported from the host: the box's authority */
  hostImports: string[];
  /** for each host import, the parts that call it ("app", a capability, or "box" for glue) */
  hostImportsBy: Record<string, string[]>;
  /** where the vfs image lives in the box (data segments and the glue answering their sizes): box run --commit swaps it */
  vfsImage?: { first: number; count: number; sizeFunction: number };
  /** bytes each part contributes after dead-code removal ("box": the linker's glue) */
  sizes: Record<string, { functions: number; code: number; data: number }>;
  /** for each WASI function the program imports, the capability serving it, or "host" */
  served: Record<string, string>;
  /** built from a Dockerfile (box build): its layers and the image config it recorded */
  build?: BuildRecord;
  /**
   * linked with --single-memory: one memory, laid out in regions (byte base, pages) from the
   * program's at 0; `checked` says the program's accesses are bounds-checked (always, today)
   */
  singleMemory?: { checked: boolean; regions: Record<string, { base: number; pages: number }> };
}

/** One COPY, ADD, RUN or WORKDIR step's filesystem changes, as box build made them. */
export interface LayerRecord {
  /** sha256 of the layer's canonical tar ("sha256:<hex>") */
  digest: string;
  /** the instruction after variable substitution */
  instruction: string;
  /** Dockerfile line (0 for layers inherited from a base box without a record) */
  line: number;
  /** bytes of the layer's tar */
  size: number;
  /** --chown as given: recorded, preview1 has no owners */
  chown?: string;
}

/** What a Dockerfile said beyond the filesystem and argv/env/workdir (an OCI image config's counterpart). */
export interface BuildRecord {
  /** the base: "scratch" or the base box's file name and sha256 */
  from: string;
  /** the base box's layers first, then this build's */
  layers: LayerRecord[];
  labels?: Record<string, string>;
  /** USER: recorded, preview1 has no users */
  user?: string;
  /** EXPOSE as written ("8080/tcp") */
  exposed?: string[];
  /** VOLUME paths (also the box's mount points) */
  volumes?: string[];
  stopSignal?: string;
  /** SHELL, when the Dockerfile set one */
  shell?: string[];
}

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
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(section)) as Manifest;
  } catch {
    throw new BoxFormatError('the box manifest is not valid JSON');
  }
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.format !== 'number') {
    throw new BoxFormatError('the box manifest has no format version');
  }
  if (manifest.format > BOX_FORMAT) {
    throw new BoxFormatError(`this box uses format ${manifest.format}, newer than this runtime reads (${BOX_FORMAT}); upgrade Marcotte`);
  }
  const wrong = manifestShapeError(manifest as unknown as Record<string, unknown>);
  if (wrong) throw new BoxFormatError(`the box manifest is malformed: ${wrong}`);
  return manifest;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const everyValue = (v: unknown, ok: (x: unknown) => boolean): boolean => isObject(v) && Object.values(v).every(ok);

type Shape = ReadonlyArray<[field: string, required: boolean, ok: (v: unknown) => boolean, expected: string]>;

const MANIFEST_SHAPE: Shape = [
  ['capabilities', true, (v) => everyValue(v, (c) => isObject(c) && typeof c.version === 'string'), 'an object of { version }'],
  ['entrypoint', true, (v) => typeof v === 'string', 'a string'],
  ['args', true, isStrings, 'a list of strings'],
  ['env', true, isStrings, 'a list of strings'],
  ['hostImports', true, isStrings, 'a list of strings'],
  ['hostImportsBy', false, (v) => everyValue(v, isStrings), 'an object of string lists'],
  ['workdir', false, (v) => typeof v === 'string', 'a string'],
  ['workdirNotApplied', false, (v) => typeof v === 'string', 'a string'],
  ['image', false, (v) => everyValue(v, isCount), 'an object of counts'],
  ['mountPoints', false, isStrings, 'a list of strings'],
  ['ports', false, (v) => Array.isArray(v) && v.every(isCount), 'a list of ports'],
  ['clock', false, (v) => typeof v === 'string', 'a string'],
  ['random', false, (v) => typeof v === 'string', 'a string'],
  ['trace', false, isStrings, 'a list of strings'],
  ['portable', false, (v) => typeof v === 'boolean', 'true or false'],
  ['sealed', false, (v) => typeof v === 'boolean', 'true or false'],
  ['denied', false, isStrings, 'a list of strings'],
  ['vfsImage', false, (v) => isObject(v) && isCount(v.first) && isCount(v.count) && isCount(v.sizeFunction), 'an object of { first, count, sizeFunction }'],
  ['sizes', false, (v) => everyValue(v, (s) => everyValue(s, isCount)), 'an object of { functions, code, data }'],
  ['served', false, (v) => everyValue(v, (x) => typeof x === 'string'), 'an object of strings'],
  ['build', false, isObject, 'an object'],
  ['singleMemory', false, (v) => isObject(v) && typeof v.checked === 'boolean' && everyValue(v.regions, (r) => isObject(r) && isCount(r.base) && isCount(r.pages)), 'an object of { checked, regions }'],
];

const isLayer = (v: unknown): boolean =>
  isObject(v) && typeof v.digest === 'string' && typeof v.instruction === 'string' && isCount(v.line) && isCount(v.size) &&
  (v.chown === undefined || typeof v.chown === 'string');

/** box build's record (BuildRecord): inspect prints it and FROM starts from it. */
const BUILD_SHAPE: Shape = [
  ['from', true, (v) => typeof v === 'string', 'a string'],
  ['layers', true, (v) => Array.isArray(v) && v.every(isLayer), 'a list of { digest, instruction, line, size }'],
  ['labels', false, (v) => everyValue(v, (x) => typeof x === 'string'), 'an object of strings'],
  ['user', false, (v) => typeof v === 'string', 'a string'],
  ['exposed', false, isStrings, 'a list of strings'],
  ['volumes', false, isStrings, 'a list of strings'],
  ['stopSignal', false, (v) => typeof v === 'string', 'a string'],
  ['shell', false, isStrings, 'a list of strings'],
];

function shapeError(o: Record<string, unknown>, shape: Shape, prefix: string): string | undefined {
  for (const [field, required, ok, expected] of shape) {
    const v = o[field];
    if (v === undefined ? required : !ok(v)) return `"${prefix}${field}" must be ${expected}`;
  }
  return undefined;
}

/**
 * What is wrong with a parsed manifest's shape, or undefined: the fields
 * every reader relies on must be there, and the others of the right type
 * when present (nested records too), so that a damaged box is refused in one
 * line instead of failing somewhere inside a tool.
 */
function manifestShapeError(m: Record<string, unknown>): string | undefined {
  return shapeError(m, MANIFEST_SHAPE, '') ?? (isObject(m.build) ? shapeError(m.build, BUILD_SHAPE, 'build.') : undefined);
}
