// box run --memory: one budget for every memory a box makes the host hold.
//
// A box has several memories: the program's (memory 0), one per capability
// (the kernel's, the vfs's with the files and their metadata, ...) and the
// linker's fixed ones (the trace records). WebAssembly has no limit across
// memories, so the budget is split into a maximum per memory, declared in
// the module before it is compiled: the engine refuses every grow past it,
// whatever the code. The split:
//   - fixed memories (not the program's, no capability's) keep their size;
//   - each capability but the vfs gets CAPABILITY_PAGES (1 MiB: the kernel's
//     fd table, argv and environ, sockets, clock state fit with room);
//   - the vfs gets a quarter of the budget (at least MIN_VFS_PAGES, and room
//     for twice its image index, which it copies at its first call): it is
//     told the number (its memory_limit control export) and plans within it,
//     answering ENOSPC when full instead of trapping;
//   - the program gets the rest.
// Dynamic mode applies the same split to the parts, each its own module.

import { configPlacementOf, MANIFEST_SECTION, parseManifest, type BoxParts } from '@marcotte/abi';
import { readModule, SINGLE_MEMORY_LIMIT_EXPORT, writeModule, type Module } from '@marcotte/linker';
import { StartError } from './errors.ts';

export const PAGE = 65536;
/** A 32-bit memory's own limit (4 GiB): a larger share is no cap at all. */
export const MAX_PAGES = 65536;
/** Each capability's memory but the vfs's. */
export const CAPABILITY_PAGES = 16;
/** The vfs's least share: it keeps about 1 MiB for its own metadata headroom (vfs limits.ts). */
export const MIN_VFS_PAGES = 32;

export type MemoryRole = 'program' | 'vfs' | 'capability' | 'fixed';

/** The least a vfs memory needs for an image index of `bytes`: the copy, the allocator's doubling, its headroom. */
export function vfsPagesFor(indexBytes: number): number {
  return MIN_VFS_PAGES + Math.ceil((2 * indexBytes) / PAGE);
}

/** `pages` as MiB, or KiB when that is not whole. */
const size = (pages: number): string => (pages % 16 === 0 ? `${pages / 16} MiB` : `${pages * 64} KiB`);

/** Pages each memory may reach (in the order given), so that together they stay within `budget` pages. */
export function splitBudget(budget: number, memories: ReadonlyArray<{ role: MemoryRole; min: number }>): number[] {
  const vfs = memories.some((m) => m.role === 'vfs') ? Math.max(MIN_VFS_PAGES, Math.floor(budget / 4)) : 0;
  const caps = memories.map((m) => (m.role === 'fixed' ? m.min : m.role === 'capability' ? Math.max(m.min, CAPABILITY_PAGES) : m.role === 'vfs' ? Math.max(m.min, vfs) : 0));
  const others = caps.reduce((a, b) => a + b, 0);
  const program = memories.findIndex((m) => m.role === 'program');
  const left = budget - others;
  if (program >= 0) {
    const min = memories[program]!.min;
    if (left < min) {
      throw new StartError(`--memory: the box needs at least ${size(others + min)} to start (the program ${size(min)}, its capabilities ${size(others)}), the limit allows ${size(budget)}`);
    }
    caps[program] = left;
  } else if (left < 0) {
    throw new StartError(`--memory: the box's capabilities need at least ${size(others)}, the limit allows ${size(budget)}`);
  }
  return caps.map((c) => Math.min(c, MAX_PAGES));
}

/** Lowers each defined memory's maximum to `caps[i]` (a lower maximum the module declares stays). */
function declare(module: Module, caps: readonly number[]): void {
  module.memories.forEach((memory, i) => {
    const cap = BigInt(caps[i]!);
    memory.max = memory.max === undefined || memory.max > cap ? cap : memory.max;
  });
}

/** A static box's memories by role: memory 0 is the program's, `box.<name>.memory*` exports are capabilities'. */
function rolesOf(module: Module): MemoryRole[] {
  const imported = module.imports.filter((i) => i.desc.kind === 'memory').length;
  const roles: MemoryRole[] = module.memories.map((_, i) => (i + imported === 0 ? 'program' : 'fixed'));
  for (const e of module.exports) {
    const m = /^box\.([^.]+)\.memory\d*$/.exec(e.name);
    if (e.kind !== 'memory' || !m || e.index < imported) continue;
    roles[e.index - imported] = m[1] === 'vfs' ? 'vfs' : 'capability';
  }
  return roles;
}

export interface CappedBox {
  bytes: Uint8Array;
  /** the program's maximum in bytes */
  programBytes: number;
  /** the vfs memory's maximum in pages, for its memory_limit (undefined: no vfs) */
  vfsPages?: number;
}

/**
 * A single-memory box (linker single-memory.ts): its one memory is laid out
 * at link time, so the budget is split over its regions instead, by the same
 * rule as a multi-memory box's memories. Each region's limit is a global the
 * box's own grow checks read (box.<name>.limit): it is lowered here to the
 * region's share; the vfs is also told its share. Regions without a limit
 * (trace records, the linker's scratch page) count at their size.
 */
function capSingleMemoryBox(module: Module, regions: Record<string, { pages: number }>, budget: number): CappedBox {
  const index = vfsIndexBytes(module);
  const names = Object.keys(regions);
  const has = (name: string) => module.exports.some((e) => e.kind === 'global' && e.name === name);
  const roles = names.map((name): { role: MemoryRole; min: number } => {
    if (name === 'trace' || !has(`box.${name}.limit`)) return { role: 'fixed', min: regions[name]!.pages };
    const min = initOf(module, `box.${name}.pages`);
    return name === 'app' ? { role: 'program', min } : name === 'vfs' ? { role: 'vfs', min: Math.max(min, vfsPagesFor(index)) } : { role: 'capability', min };
  });
  const caps = splitBudget(budget, roles);
  names.forEach((name, i) => {
    const limit = `box.${name}.limit`;
    if (roles[i]!.role === 'fixed') return;
    caps[i] = Math.min(caps[i]!, initOf(module, limit));
    setInit(module, limit, caps[i]!);
  });
  const vfs = names.indexOf('vfs');
  return { bytes: writeModule(module), programBytes: caps[names.indexOf('app')]! * PAGE, ...(vfs >= 0 && caps[vfs]! < MAX_PAGES ? { vfsPages: caps[vfs]! } : {}) };
}

/** The i32.const an exported global starts at. */
function initOf(module: Module, name: string): number {
  const g = module.exports.find((e) => e.kind === 'global' && e.name === name);
  const init = g && module.globals[g.index]?.init;
  if (init?.[0] !== 0x41) throw new StartError(`the box's ${name} is not a constant global: it is damaged`);
  let v = 0, shift = 0, i = 1, b = 0;
  do { b = init[i++]!; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80 && i < init.length);
  return v >>> 0;
}

function setInit(module: Module, name: string, value: number): void {
  const g = module.exports.find((e) => e.kind === 'global' && e.name === name)!;
  const bytes = [0x41];
  let v = value >>> 0;
  for (;;) {
    const b = v & 0x7f;
    v >>>= 7;
    if (v === 0 && !(b & 0x40)) { bytes.push(b); break; }
    bytes.push(b | 0x80);
    if (v === 0) { bytes.push(0); break; }
  }
  bytes.push(0x0b);
  module.globals[g.index]!.init = new Uint8Array(bytes);
}

/** A static box with every memory capped so that together they stay within `budget` pages. */
export function capStaticBox(bytes: Uint8Array, budget: number): CappedBox {
  const module = readModule(bytes);
  const single = singleMemoryRegions(module);
  if (single) return capSingleMemoryBox(module, single, budget);
  if (module.imports.some((i) => i.desc.kind === 'memory')) throw new StartError('the box imports a memory: --memory cannot bound it');
  const roles = rolesOf(module);
  const index = vfsIndexBytes(module);
  const caps = splitBudget(budget, module.memories.map((m, i) => ({ role: roles[i]!, min: roles[i] === 'vfs' ? Math.max(Number(m.min), vfsPagesFor(index)) : Number(m.min) })));
  declare(module, caps);
  const vfs = roles.indexOf('vfs');
  return { bytes: writeModule(module), programBytes: caps[0]! * PAGE, ...(vfs >= 0 && caps[vfs]! < MAX_PAGES ? { vfsPages: caps[vfs]! } : {}) };
}

/** The regions of a single-memory box (it exports box.app.limit), from its manifest; undefined for any other box. */
function singleMemoryRegions(module: Module): Record<string, { pages: number }> | undefined {
  if (!module.exports.some((e) => e.kind === 'global' && e.name === SINGLE_MEMORY_LIMIT_EXPORT)) return undefined;
  const section = module.customs.find((c) => c.name === MANIFEST_SECTION);
  let regions: Record<string, { pages: number }> | undefined;
  try {
    regions = section && parseManifest(section.bytes).singleMemory?.regions;
  } catch {
    regions = undefined;
  }
  if (!regions?.app) throw new StartError('the box exports box.app.limit but its manifest has no single-memory layout: it is damaged');
  return regions;
}

/** Bytes of a static box's vfs image index (its first config segment, where the manifest places it); 0 when none is found. */
function vfsIndexBytes(module: Module): number {
  const section = module.customs.find((c) => c.name === MANIFEST_SECTION);
  try {
    const placed = section && configPlacementOf(parseManifest(section.bytes), 'vfs');
    return placed ? module.data[placed.first]?.bytes.length ?? 0 : 0;
  } catch {
    return 0; // a manifest that does not read is refused when the box starts
  }
}

/** A part's module (dynamic mode) with its memories capped at `pages` each (a part has one). */
function capPart(bytes: Uint8Array, pages: number): Uint8Array {
  const module = readModule(bytes);
  declare(module, module.memories.map(() => pages));
  return writeModule(module);
}

/** The pages a dynamic box's program and capabilities may each reach, by the same split as a static box. */
export function splitParts(budget: number, program: Uint8Array, capabilities: ReadonlyArray<{ name: string; wasm: Uint8Array; config: readonly Uint8Array[] }>): { program: number; capabilities: number[] } {
  const min = (bytes: Uint8Array) => Number(readModule(bytes).memories[0]?.min ?? 0n);
  const caps = splitBudget(budget, [
    { role: 'program', min: min(program) },
    ...capabilities.map((c) => c.name === 'vfs'
      ? { role: 'vfs' as MemoryRole, min: Math.max(min(c.wasm), vfsPagesFor(c.config[0]?.length ?? 0)) }
      : { role: 'capability' as MemoryRole, min: min(c.wasm) }),
  ]);
  return { program: caps[0]!, capabilities: caps.slice(1) };
}

/** A portable box's parts (dynamic mode), each part's memory capped so that together they stay within `budget` pages. */
export function capParts(parts: BoxParts, budget: number): { parts: BoxParts; programBytes: number; vfsPages?: number } {
  const split = splitParts(budget, parts.program, parts.capabilities);
  const vfs = parts.capabilities.findIndex((c) => c.name === 'vfs');
  return {
    parts: {
      ...parts,
      program: capPart(parts.program, split.program),
      capabilities: parts.capabilities.map((c, i) => ({ ...c, wasm: capPart(c.wasm, split.capabilities[i]!) })),
    },
    programBytes: split.program * PAGE,
    // A share of 4 GiB is the memory's own limit: nothing for the vfs to plan around.
    ...(vfs >= 0 && split.capabilities[vfs]! < MAX_PAGES ? { vfsPages: split.capabilities[vfs]! } : {}),
  };
}
