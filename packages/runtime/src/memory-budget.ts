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
import { readModule, writeModule, type Module } from '@marcotte/linker';
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

/** A static box with every memory capped so that together they stay within `budget` pages. */
export function capStaticBox(bytes: Uint8Array, budget: number): CappedBox {
  const module = readModule(bytes);
  if (module.imports.some((i) => i.desc.kind === 'memory')) throw new StartError('the box imports a memory: --memory cannot bound it');
  const roles = rolesOf(module);
  const index = vfsIndexBytes(module);
  const caps = splitBudget(budget, module.memories.map((m, i) => ({ role: roles[i]!, min: roles[i] === 'vfs' ? Math.max(Number(m.min), vfsPagesFor(index)) : Number(m.min) })));
  declare(module, caps);
  const vfs = roles.indexOf('vfs');
  return { bytes: writeModule(module), programBytes: caps[0]! * PAGE, ...(vfs >= 0 && caps[vfs]! < MAX_PAGES ? { vfsPages: caps[vfs]! } : {}) };
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
