// box run --memory: one budget for every memory a box makes the host hold.
//
// A box has several memories: the program's (memory 0), one per capability
// (the kernel's, the vfs's with the files and their metadata, ...) and the
// linker's fixed ones (the trace records). WebAssembly has no limit across
// memories, so the budget is split into a maximum per memory, declared in
// the module before it is compiled: the engine refuses every grow past it,
// whatever the code. The split:
//   - fixed memories (not the program's, no capability's) keep their size;
//   - each capability gets CAPABILITY_PAGES (1 MiB: the kernel's fd table,
//     argv and environ, sockets, clock state fit with room), unless
//   - it is elastic (the memory_limit protocol, abi controls.ts: the vfs):
//     then it gets a quarter of the budget (at least MIN_ELASTIC_PAGES, and
//     room for twice its first configuration segment, such as the vfs's image
//     index, which it copies at its first call); it is told the number and
//     plans within it, answering ENOSPC when full instead of trapping;
//   - the program gets the rest.
// Dynamic mode applies the same split to the parts, each its own module.

import { CONTROL, configPlacementOf, controlExport, MANIFEST_SECTION, parseManifest, type BoxParts } from '@marcotte/abi';
import { readModule, SINGLE_MEMORY_LIMIT_EXPORT, writeModule, type Module } from '@marcotte/linker/runtime';
import { StartError } from './errors.ts';

export const PAGE = 65536;
/** A 32-bit memory's own limit (4 GiB): a larger share is no cap at all. */
export const MAX_PAGES = 65536;
/** Each capability's memory but an elastic one's. */
export const CAPABILITY_PAGES = 16;
/** An elastic memory's least share (the vfs keeps about 1 MiB for its own metadata headroom: vfs limits.ts). */
export const MIN_ELASTIC_PAGES = 32;

/** `elastic`: a capability that takes its cap through memory_limit (abi controls.ts). */
export type MemoryRole = 'program' | 'elastic' | 'capability' | 'fixed';

/** The least an elastic memory needs when its first configuration segment (the vfs's image index) has `bytes`: the copy, the allocator's doubling, headroom. */
export function elasticPagesFor(configBytes: number): number {
  return MIN_ELASTIC_PAGES + Math.ceil((2 * configBytes) / PAGE);
}

/** `pages` as MiB, or KiB when that is not whole. */
const size = (pages: number): string => (pages % 16 === 0 ? `${pages / 16} MiB` : `${pages * 64} KiB`);

/** Pages each memory may reach (in the order given), so that together they stay within `budget` pages. */
export function splitBudget(budget: number, memories: ReadonlyArray<{ role: MemoryRole; min: number }>): number[] {
  const elastic = Math.max(MIN_ELASTIC_PAGES, Math.floor(budget / 4));
  const caps = memories.map((m) => (m.role === 'fixed' ? m.min : m.role === 'capability' ? Math.max(m.min, CAPABILITY_PAGES) : m.role === 'elastic' ? Math.max(m.min, elastic) : 0));
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

/** Whether a static box publishes `cap`'s memory_limit: its memory is elastic. */
function elastic(module: Module, cap: string): boolean {
  const name = controlExport(cap, CONTROL.memoryLimit);
  return module.exports.some((e) => e.kind === 'func' && e.name === name);
}

/** A capability's memory, as the linker exports it: box.<cap>.memory, box.<cap>.memory1, ... (the capability's name captured). */
export const CAPABILITY_MEMORY = /^box\.([^.]+)\.memory\d*$/;

/** A static box's memories by role and owner: memory 0 is the program's, `box.<name>.memory*` exports are capabilities'. */
function rolesOf(module: Module): Array<{ role: MemoryRole; cap?: string }> {
  const imported = module.imports.filter((i) => i.desc.kind === 'memory').length;
  const roles = module.memories.map((_, i): { role: MemoryRole; cap?: string } => ({ role: i + imported === 0 ? 'program' : 'fixed' }));
  for (const e of module.exports) {
    const m = CAPABILITY_MEMORY.exec(e.name);
    if (e.kind !== 'memory' || !m || e.index < imported) continue;
    roles[e.index - imported] = { role: elastic(module, m[1]!) ? 'elastic' : 'capability', cap: m[1]! };
  }
  return roles;
}

/** The pages each elastic capability's memory may reach, by capability, for its memory_limit (a share of 4 GiB is no cap: left out). */
export type MemoryLimits = Record<string, number>;

export interface CappedBox {
  bytes: Uint8Array;
  /** the program's maximum in bytes */
  programBytes: number;
  limits: MemoryLimits;
}

/** The limits to tell: each elastic memory's share below 4 GiB. */
function limitsOf(caps: readonly number[], owners: ReadonlyArray<{ role: MemoryRole; cap?: string }>): MemoryLimits {
  const limits: MemoryLimits = {};
  owners.forEach((o, i) => {
    if (o.role === 'elastic' && o.cap !== undefined && caps[i]! < MAX_PAGES) limits[o.cap] = caps[i]!;
  });
  return limits;
}

/**
 * A single-memory box (linker single-memory.ts): its one memory is laid out
 * at link time, so the budget is split over its regions instead, by the same
 * rule as a multi-memory box's memories. Each region's limit is a global the
 * box's own grow checks read (box.<name>.limit): it is lowered here to the
 * region's share; an elastic capability is also told its share. Regions
 * without a limit (trace records, the linker's scratch page) count at their size.
 */
function capSingleMemoryBox(module: Module, regions: Record<string, { pages: number }>, budget: number): CappedBox {
  const configBytes = firstConfigBytes(module);
  const names = Object.keys(regions);
  const has = (name: string) => module.exports.some((e) => e.kind === 'global' && e.name === name);
  const roles = names.map((name): { role: MemoryRole; min: number; cap?: string } => {
    if (name === 'trace' || !has(`box.${name}.limit`)) return { role: 'fixed', min: regions[name]!.pages };
    const min = initOf(module, `box.${name}.pages`);
    if (name === 'app') return { role: 'program', min };
    return elastic(module, name) ? { role: 'elastic', min: Math.max(min, elasticPagesFor(configBytes(name))), cap: name } : { role: 'capability', min, cap: name };
  });
  const caps = splitBudget(budget, roles);
  names.forEach((name, i) => {
    const limit = `box.${name}.limit`;
    if (roles[i]!.role === 'fixed') return;
    caps[i] = Math.min(caps[i]!, initOf(module, limit));
    setInit(module, limit, caps[i]!);
  });
  return { bytes: writeModule(module), programBytes: caps[names.indexOf('app')]! * PAGE, limits: limitsOf(caps, roles) };
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
  const configBytes = firstConfigBytes(module);
  const caps = splitBudget(budget, module.memories.map((m, i) => {
    const { role, cap } = roles[i]!;
    return { role, min: role === 'elastic' ? Math.max(Number(m.min), elasticPagesFor(configBytes(cap!))) : Number(m.min) };
  }));
  declare(module, caps);
  return { bytes: writeModule(module), programBytes: caps[0]! * PAGE, limits: limitsOf(caps, roles) };
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

/** Bytes of a capability's first configuration segment in a static box (where the manifest places it); 0 when none is found. */
function firstConfigBytes(module: Module): (cap: string) => number {
  const section = module.customs.find((c) => c.name === MANIFEST_SECTION);
  let manifest: ReturnType<typeof parseManifest> | undefined;
  try {
    manifest = section && parseManifest(section.bytes);
  } catch {
    manifest = undefined; // a manifest that does not read is refused when the box starts
  }
  return (cap) => {
    const placed = manifest && configPlacementOf(manifest, cap);
    return placed ? module.data[placed.first]?.bytes.length ?? 0 : 0;
  };
}

/** A part's module (dynamic mode) with its memories capped at `pages` each (a part has one). */
function capPart(bytes: Uint8Array, pages: number): Uint8Array {
  const module = readModule(bytes);
  declare(module, module.memories.map(() => pages));
  return writeModule(module);
}

/** The pages a dynamic box's program and capabilities may each reach, by the same split as a static box. */
export function splitParts(budget: number, program: Uint8Array, capabilities: ReadonlyArray<{ name: string; wasm: Uint8Array; config: readonly Uint8Array[] }>): { program: number; capabilities: number[]; limits: MemoryLimits } {
  const min = (module: Module) => Number(module.memories[0]?.min ?? 0n);
  const owners = capabilities.map((c): { role: MemoryRole; min: number; cap: string } => {
    const module = readModule(c.wasm);
    // A part's own exports are its protocols (abi controls.ts).
    return module.exports.some((e) => e.kind === 'func' && e.name === CONTROL.memoryLimit)
      ? { role: 'elastic', min: Math.max(min(module), elasticPagesFor(c.config[0]?.length ?? 0)), cap: c.name }
      : { role: 'capability', min: min(module), cap: c.name };
  });
  const caps = splitBudget(budget, [{ role: 'program', min: min(readModule(program)) }, ...owners]);
  return { program: caps[0]!, capabilities: caps.slice(1), limits: limitsOf(caps.slice(1), owners) };
}

/** A portable box's parts (dynamic mode), each part's memory capped so that together they stay within `budget` pages. */
export function capParts(parts: BoxParts, budget: number): { parts: BoxParts; programBytes: number; limits: MemoryLimits } {
  const split = splitParts(budget, parts.program, parts.capabilities);
  return {
    parts: {
      ...parts,
      program: capPart(parts.program, split.program),
      capabilities: parts.capabilities.map((c, i) => ({ ...c, wasm: capPart(c.wasm, split.capabilities[i]!) })),
    },
    programBytes: split.program * PAGE,
    limits: split.limits,
  };
}
