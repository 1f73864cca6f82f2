// box-link as a function: program bytes + capabilities + settings -> box bytes.

import { BOX_FORMAT, CONTROL, configPlacementFields, DENY_CLASSES, denyError, FUNCTIONS, MANIFEST_SECTION, NEVER_HOST, PARTS_SECTION, SEALED_ALLOWED, encodeParts, type BoxParts, type BuildRecord, type CapabilityDescriptor, type ImageEntry, type LinkSettings, type Manifest } from '@marcotte/abi';
import { WasmFormatError } from './binary/errors.ts';
import { readModule } from './binary/reader.ts';
import { writeModule, writeModuleTo, type ModuleSink } from './binary/writer.ts';
import type { Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { merge, typeOfFunc, type CapabilityPart, type MergeResult } from './merge.ts';
import { valTypeName } from './signature.ts';
import { PAGE, singleMemory } from './single-memory.ts';

export interface LinkOptions extends LinkSettings {
  /** capability descriptors in link order; the kernel comes first */
  capabilities: readonly CapabilityDescriptor[];
  /** drop every custom section but the manifest */
  strip?: boolean;
  /** capability classes whose host functions the box may not import (DESIGN.md §4) */
  deny?: readonly string[];
  /** bake everything for good: the box imports only fd_write, fd_read and proc_exit */
  sealed?: boolean;
  /** also embed the unmerged parts, so engines without multi-memory run the box in dynamic mode */
  portable?: boolean;
  /** record every WASI call the program makes; the runtime prints them */
  trace?: boolean;
  /** how errors name the program (its file name); default "the program" */
  programName?: string;
  /** box build's record of the Dockerfile (layers, labels, user …), kept in the manifest */
  build?: BuildRecord;
  /** lay every capability's memory into memory 0 (single-memory.ts): the box needs no multi-memory */
  singleMemory?: boolean;
  /** with singleMemory: the program's memory limit in bytes (default: its declared maximum, else 1 GiB) */
  programMemory?: number;
}

export interface LinkResult {
  bytes: Uint8Array<ArrayBuffer>;
  manifest: Manifest;
  /** what the caller tells the user once on stderr (a workdir the program cannot start in) */
  warnings: string[];
}

/** `bulk`: the code section as one run (readModule), for the program: the merge keeps it whole and the writer copies it so. */
function read(bytes: Uint8Array, name: string, bulk = false): Module {
  try {
    return readModule(bytes, { bulk });
  } catch (e) {
    if (e instanceof WasmFormatError) throw new LinkError(`${name}: ${e.message}`);
    throw e;
  }
}

/**
 * Host functions the box may not import: --deny classes, --sealed, and the
 * host's filesystem when a capability declaring `filesystem` is, without
 * mount points, the box's whole filesystem (the kernel then gives no host
 * directory an fd, so its host path calls are unreachable; DESIGN.md §4), and
 * what no box is ever given (NEVER_HOST: proc_raise answers ENOSYS in the box).
 */
function deniedHostFunctions(deny: readonly string[], sealed: boolean, ownFilesystem: boolean): (name: string) => boolean {
  const problem = denyError(deny);
  if (problem) throw new LinkError(problem);
  return (name) => NEVER_HOST.has(name) || (sealed && !SEALED_ALLOWED.has(name)) || deny.some((d) => DENY_CLASSES[d]!(name))
    || (ownFilesystem && DENY_CLASSES.fs!(name));
}

/** What an image holds, as the manifest reports it. */
export function imageSummary(image: readonly ImageEntry[]): NonNullable<Manifest['image']> {
  const summary = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  for (const e of image) {
    if (e.type === 'file') {
      summary.files++;
      summary.bytes += e.data?.length ?? 0;
    } else if (e.type === 'dir') summary.dirs++;
    else summary.symlinks++;
  }
  return summary;
}

/** The image with a directory at each mount point (and its parents), where host directories appear at run time. */
function withMountPoints(image: readonly ImageEntry[], mountPoints: readonly string[]): ImageEntry[] {
  const entries = [...image];
  const have = new Set(entries.map((e) => e.path));
  for (const mount of mountPoints) {
    const parts = mount.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const path = `/${parts.slice(0, i).join('/')}`;
      if (!have.has(path)) {
        have.add(path);
        entries.push({ path, type: 'dir' });
      }
    }
  }
  return entries;
}

/**
 * A capability's config segments. Settings it cannot take (an image with a
 * file under a symlink, a NUL in argv) are bad input: it throws a plain
 * Error saying why, reported as a LinkError; anything else is a bug.
 */
function configure(descriptor: CapabilityDescriptor, settings: LinkSettings): Uint8Array[] | undefined {
  try {
    return descriptor.config?.(settings);
  } catch (e) {
    if (e instanceof Error && e.constructor === Error) throw new LinkError(`${descriptor.name}: ${e.message}`);
    throw e;
  }
}

/**
 * The program must validate: the linker copies function bodies as they are,
 * so an invalid one would make a box that does not compile.
 */
function checkValid(bytes: Uint8Array, name: string): void {
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return;
  let why = 'the engine does not accept it';
  try {
    // only for the engine's reason; validate said it fails
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    if (e instanceof WebAssembly.CompileError) why = e.message.replace(/^WebAssembly\.Module\(\): /, '');
  }
  throw new LinkError(`${name} is not a valid WebAssembly module: ${why}`);
}

export function link(program: Uint8Array, options: LinkOptions): LinkResult {
  const { module, manifest, warnings } = linkModule(program, options);
  return { bytes: written(options, () => writeModule(module)), manifest, warnings };
}

/**
 * link(), the box written to `sink` as it is made (box-link writes its output
 * file so): no copy of a large box is ever held whole. Answers its size.
 */
export function linkTo(program: Uint8Array, options: LinkOptions, sink: ModuleSink): Omit<LinkResult, 'bytes'> & { size: number } {
  const { module, manifest, warnings } = linkModule(program, options);
  return { size: written(options, () => writeModuleTo(module, sink)), manifest, warnings };
}

function written<T>(options: LinkOptions, write: () => T): T {
  try {
    return write();
  } catch (e) {
    // Code bodies are decoded as they are rewritten, which happens while writing.
    if (e instanceof WasmFormatError) throw new LinkError(`${options.programName ?? 'the program'}: ${e.inSection('code').message}`);
    throw e;
  }
}

function linkModule(program: Uint8Array, options: LinkOptions): { module: Module; manifest: Manifest; warnings: string[] } {
  const name = options.programName ?? 'the program';
  const app = read(program, name, true);
  checkValid(program, name);
  return completed(program, options, mergedParts(app, options));
}

/** What the merge step hands to completed(). */
interface MergedParts {
  app: Module;
  caps: CapabilityPart[];
  settings: LinkSettings;
  denied: (name: string) => boolean;
  /** whether a linked capability is a filesystem (it takes the image) */
  filesystem: boolean;
  merged: MergeResult;
}

/** The capabilities configured and read, the options checked, the parts merged (the program has validated). */
function mergedParts(app: Module, options: LinkOptions): MergedParts {
  // The options are the settings every descriptor reads (and the linker's own, which they ignore); an empty list is none.
  const settings: LinkSettings = {
    ...options,
    image: options.image !== undefined || options.mountPoints?.length ? withMountPoints(options.image ?? [], options.mountPoints ?? []) : undefined,
    mountPoints: options.mountPoints?.length ? options.mountPoints : undefined,
    listen: options.listen?.length ? options.listen : undefined,
  };
  const caps = options.capabilities.map((descriptor) => {
    const config = configure(descriptor, settings);
    return { descriptor, module: read(descriptor.wasm(), `capability ${descriptor.name}`), config };
  });
  const filesystem = options.capabilities.some((c) => c.filesystem);
  const ownFilesystem = filesystem && !options.mountPoints?.length;
  const denied = deniedHostFunctions(options.deny ?? [], options.sealed ?? false, ownFilesystem);
  if (options.programMemory !== undefined && !options.singleMemory) throw new LinkError('--program-memory is only for a --single-memory box');
  if (options.singleMemory && options.portable) {
    throw new LinkError('--single-memory and --portable do not go together: a single-memory box needs no dynamic mode');
  }
  const merged = merge(app, caps, {
    strip: options.strip ?? false, denied, trace: options.trace, programValidated: true,
  });
  return { app, caps, settings, denied, filesystem, merged };
}

/** The merged box completed: the single-memory pass, the manifest, the portable parts. The program has validated. */
function completed(program: Uint8Array, options: LinkOptions, { app, caps, settings, denied, filesystem, merged }: MergedParts): { module: Module; manifest: Manifest; warnings: string[] } {
  const { hostImports, hostImportsBy, served, sizes, configs, traced, noWorkdir } = merged;
  let module = merged.module;
  let single: ReturnType<typeof singleMemory>['layout'] | undefined;
  if (options.singleMemory) {
    // The pass works on final indices: the merged module is written once and read back.
    const programPages = options.programMemory === undefined ? undefined : Math.ceil(options.programMemory / PAGE);
    const configBytes = Object.fromEntries(caps.map((c) => [c.descriptor.name, (c.config ?? []).reduce((n, s) => n + s.length, 0)]));
    // Regions their capabilities size themselves (the vfs's holds the files: --vfs-memory).
    const regionPages = Object.fromEntries(caps.flatMap(({ descriptor: d }) => (d.regionPages ? [[d.name, d.regionPages(settings, configBytes[d.name]!)]] : [])));
    const done = singleMemory(readModule(written(options, () => writeModule(module))), {
      appFunctions: app.functions.length, served, configBytes, programPages, regionPages,
    });
    module = done.module;
    single = done.layout;
  }
  // A workdir the program cannot start in is said, not fatal: it runs from "/" as under any other WASI host.
  const workdirMissed = noWorkdir !== undefined && options.workdir !== undefined && options.workdir !== '/';
  const warnings = workdirMissed ? [`workdir ${options.workdir} is not applied, the program starts in /: ${noWorkdir}`] : [];
  const manifest: Manifest = {
    format: BOX_FORMAT,
    capabilities: Object.fromEntries(options.capabilities.map((c) => [c.name, { version: c.version }])),
    entrypoint: options.entrypoint,
    args: [...options.args],
    env: [...options.env],
    workdir: options.workdir,
    workdirNotApplied: workdirMissed ? noWorkdir : undefined,
    // The image is the filesystem's configuration: summarised only where one takes it.
    image: settings.image && filesystem ? imageSummary(settings.image) : undefined,
    ...(options.mountPoints?.length ? { mountPoints: [...options.mountPoints] } : {}),
    ...(options.listen?.length ? { ports: [...options.listen] } : {}),
    clock: options.clock,
    random: options.random,
    ...(options.sealed ? { sealed: true } : {}),
    ...(options.portable ? { portable: true } : {}),
    trace: traced,
    ...(options.deny?.length ? { denied: [...options.deny].sort() } : {}),
    hostImports,
    hostImportsBy,
    served,
    sizes,
    // The configurations that are state (the snapshot protocol), so that --commit, FROM and relink find them.
    ...configPlacementFields(configs, options.capabilities.filter((c) => c.control?.includes(CONTROL.snapshot)).map((c) => c.name)),
    build: options.build,
    singleMemory: single,
  };
  module.customs.push({ name: MANIFEST_SECTION, bytes: new TextEncoder().encode(JSON.stringify(manifest)), after: 0xff });
  if (options.portable) {
    const linked = new Set(options.capabilities.map((c) => c.name));
    const parts: BoxParts = {
      program,
      capabilities: caps.map((cap) => ({
        name: cap.descriptor.name,
        wasm: cap.descriptor.wasm(),
        config: cap.config ?? [],
        provides: [...cap.descriptor.provides],
        init: cap.descriptor.init,
        stubs: cap.module.imports.flatMap((imp, i) =>
          imp.desc.kind === 'func' && imp.module.startsWith('box:') && !['box:app', 'box:config'].includes(imp.module) && !linked.has(imp.module.slice(4))
            ? [{ module: imp.module, name: imp.name, results: typeOfFunc(cap.module, i).results.map(valTypeName) }]
            : []),
      })),
      denied: FUNCTIONS.map((f) => f.name).filter(denied),
    };
    module.customs.push({ name: PARTS_SECTION, bytes: encodeParts(parts), after: 0xff });
  }
  return { module, manifest, warnings };
}
