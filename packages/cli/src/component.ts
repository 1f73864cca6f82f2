// `box export --component`: a box made into a WASI 0.2 command component
// with the preview1 adapter that ships in @bytecodealliance/jco (wasmtime's
// wasi-preview1-component-adapter). The adapter implements the box's
// wasi_snapshot_preview1 imports over WASI 0.2 interfaces; wit-component
// (jco's componentNew) keeps only the adapter functions the box imports, and
// with them only the interfaces those need. packages/cli/README.md maps each
// preview1 call to what it brings in; src/component.test.ts checks that map.

import { readModule, writeModule, type Module } from '@marcotte/linker';

/** Why a box cannot become a component, said in one line by the caller. */
export class ComponentError extends Error {
  override name = 'ComponentError';
}

export interface BoxComponent {
  /** the component's bytes */
  bytes: Uint8Array;
  /** the WASI 0.2 interfaces it imports (`wasi:cli/stdout@0.2.12`, …), sorted: what a host must grant */
  imports: string[];
  /** what a user should know about where it runs (one line each) */
  warnings: string[];
}

/** 2 GiB in pages: jco's generated JavaScript reads the adapter's pointers as signed 32-bit numbers. */
const JCO_REACH_PAGES = 32768;

/** Memories a module defines or imports. */
function memoryCount(module: Module): number {
  return module.memories.length + module.imports.filter((i) => i.desc.kind === 'memory').length;
}

/**
 * Pages the adapter may add to the memory. A box exports no `cabi_realloc`,
 * so wit-component gives the adapter one that grows the memory by whole pages:
 * it takes one for its state and one for its stack when the component starts.
 */
export const ADAPTER_PAGES = 16;

/**
 * The box with room for the adapter above everything it holds. A
 * single-memory box declares its memory's maximum equal to its minimum (the
 * program's limit and every capability's region), so the adapter's
 * `memory.grow` would fail and it would trap before `_start`. Pages grown past
 * the last region belong to no part: the program's accesses are checked
 * against its own region and the capabilities use theirs, so the adapter's
 * state is as out of their reach as the capabilities' is.
 */
function withAdapterRoom(box: Uint8Array, module: Module): { bytes: Uint8Array; pages: bigint } {
  const memory = module.memories[0]!;
  if (memory.max === undefined) return { bytes: box, pages: memory.min };
  const max = memory.max + BigInt(ADAPTER_PAGES);
  if (max > 65536n) throw new ComponentError(`its memory is declared at ${memory.max} pages, which leaves no room for the adapter's ${ADAPTER_PAGES} (at most 65536)`);
  module.memories[0] = { ...memory, max };
  return { bytes: writeModule(module), pages: memory.min };
}

/**
 * The advice for a box with more than one memory: the component model's
 * canonical ABI lifts through one memory, and jco's transpiler (and every
 * engine without multi-memory) refuses the rest.
 */
export function multiMemoryAdvice(memories: number): string {
  return `a box with ${memories} memories cannot become a component (the adapter and the canonical ABI need one memory): link it with --single-memory`;
}

/** jco is loaded only by the command that needs it (and kept out of the CLI bundle: build.mjs). */
async function jco() {
  return import('@bytecodealliance/jco');
}

/** The interfaces a component imports, from its WIT (what a host must provide). */
export async function componentImports(component: Uint8Array): Promise<string[]> {
  const wit = await (await jco()).componentWit(component);
  return [...new Set([...wit.matchAll(/^\s*import (wasi:[\w-]+\/[\w-]+@[\w.-]+);/gm)].map((m) => m[1]!))].sort();
}

/** The preview1 command adapter's bytes, as jco ships them. */
export async function commandAdapter(): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  return readFile((await jco()).preview1AdapterCommandPath());
}

/**
 * Wraps a single-memory box (or any single-memory preview1 command module)
 * in the command adapter. A box with several memories is refused: it would
 * make a component that no component host in common use can run.
 */
export async function boxComponent(box: Uint8Array): Promise<BoxComponent> {
  const module = readModule(box);
  const memories = memoryCount(module);
  if (memories !== 1) {
    throw new ComponentError(memories === 0 ? 'the module has no memory for the adapter to use' : multiMemoryAdvice(memories));
  }
  const { componentNew } = await jco();
  const roomy = withAdapterRoom(box, module);
  // The adapter's state lands above the memory's initial size: past 2 GiB, jco's bindings cannot reach it.
  const warnings = roomy.pages + 2n > BigInt(JCO_REACH_PAGES)
    ? [`the box's memory starts at ${roomy.pages / 16n} MiB, and the adapter's state goes above it: jco's JavaScript bindings cannot address past 2 GiB (wasmtime can); for jco, link with a smaller --program-memory or --vfs-memory`]
    : [];
  let bytes: Uint8Array;
  try {
    bytes = await componentNew(roomy.bytes, [['wasi_snapshot_preview1', await commandAdapter()]]);
  } catch (e) {
    // wit-component's message is a cause chain over several lines: one line, outermost first
    const why = String((e as Error)?.message ?? e).split('\n').map((l) => l.trim().replace(/^\$/, ''))
      .filter((l) => l && l !== 'Caused by:').join(': ');
    throw new ComponentError(`the adapter cannot wrap it: ${why}`);
  }
  return { bytes, imports: await componentImports(bytes), warnings };
}
