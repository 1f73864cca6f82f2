// Engine features a box needs, detected by validating tiny modules.

// (module (memory 0) (memory 0)): valid only where multi-memory is enabled.
const TWO_MEMORIES = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 5, 2, 0, 0, 0, 0]);

/** True when this engine can compile a module with more than one memory. */
export function hasMultiMemory(): boolean {
  return WebAssembly.validate(TWO_MEMORIES);
}

export const MULTI_MEMORY_ADVICE =
  'this JavaScript engine cannot run multi-memory WebAssembly (Node >= 22 can); ' +
  'run `npx -y pnpm@10.34.9 exec box` from the repository, which uses the pinned Node 24';
