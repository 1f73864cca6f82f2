// The box's control surface (DESIGN.md §2.1), used through its protocols
// (abi controls.ts), never through a capability's name: Node and the
// browser, static and dynamic mode. No Node imports: the web worker uses it.

import { capabilitiesWith, CONTROL, controlExport } from '@marcotte/abi';

/**
 * The control surface a static box exports, made from a dynamic box's
 * capability instances: each one's memory and the protocol functions it
 * exports, as `box.<capability>.<name>`.
 */
export function controlSurface(capabilities: ReadonlyMap<string, WebAssembly.Instance>): WebAssembly.Exports {
  const surface: WebAssembly.Exports = {};
  for (const [cap, instance] of capabilities) {
    const { memory } = instance.exports;
    if (memory) surface[controlExport(cap, 'memory')] = memory;
    for (const name of [CONTROL.snapshot, CONTROL.memoryLimit]) {
      const fn = instance.exports[name];
      if (typeof fn === 'function') surface[controlExport(cap, name)] = fn;
    }
  }
  return surface;
}

/**
 * The state of the first capability with a snapshot (the snapshot
 * protocol: framed configuration segments, such as the vfs's tree), read
 * through the control surface; undefined when none has one.
 */
export function takeSnapshot(control: WebAssembly.Exports): { capability: string; bytes: Uint8Array } | undefined {
  const cap = capabilitiesWith(Object.keys(control), CONTROL.snapshot)[0];
  if (cap === undefined) return undefined;
  const fn = control[controlExport(cap, CONTROL.snapshot)] as () => bigint;
  const memory = control[controlExport(cap, 'memory')] as WebAssembly.Memory | undefined;
  if (typeof fn !== 'function' || !memory) return undefined;
  const result = BigInt.asUintN(64, fn());
  if (result === 0n) throw new Error(`the ${cap} could not take its snapshot: its memory cannot grow`);
  // A single-memory box lays the capability's memory into memory 0 at box.<cap>.base (linker single-memory.ts).
  const base = ((control[controlExport(cap, 'base')] as WebAssembly.Global | undefined)?.value as number | undefined ?? 0) >>> 0;
  const ptr = base + Number(result & 0xffff_ffffn);
  // Copied: the capability reuses the buffer on its next snapshot.
  return { capability: cap, bytes: new Uint8Array(memory.buffer, ptr, Number(result >> 32n)).slice() };
}

/**
 * Tells each elastic capability its cap (the memory_limit protocol) before
 * its first call, so that it answers ENOSPC there instead of trapping; a
 * box linked before it had the export is still bounded by its declaration.
 */
export function tellMemoryLimits(control: WebAssembly.Exports, limits: Readonly<Record<string, number>>): void {
  for (const [cap, pages] of Object.entries(limits)) {
    const fn = control[controlExport(cap, CONTROL.memoryLimit)];
    if (typeof fn === 'function') fn(pages);
  }
}
