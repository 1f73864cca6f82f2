// Interruptible boxes, for box run: a time limit that ends the program
// between two loop iterations instead of killing its thread, so the
// capabilities' state (the vfs's files) is still there to be kept.
//
// The runtime adds this to a box before running it, only when asked: every
// loop of the program's own code starts with an atomic load of a flag in a
// one-page shared memory the box exports (box.interrupt.memory); once the
// host sets it, the next iteration traps. Capability code is left as it is,
// so an interrupt never lands in the middle of a capability's call.

import { MANIFEST_SECTION, parseManifest } from '@marcotte/abi';
import { readModule } from './binary/reader.ts';
import { writeModule } from './binary/writer.ts';
import { identityMap } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { ByteWriter } from './binary/leb.ts';

export const INTERRUPT_EXPORT = 'box.interrupt.memory';

/** `i32.const 0; i32.atomic.load (memory m); if; unreachable; end`. */
function probe(memory: number): Uint8Array {
  const w = new ByteWriter(16);
  w.byte(0x41);
  w.byte(0x00);
  w.byte(0xfe);
  w.u32(0x10);
  // memarg: alignment 2 with bit 6 set (a memory index follows), the index, offset 0
  w.byte(0x42);
  w.u32(memory);
  w.byte(0x00);
  w.byte(0x04);
  w.byte(0x40);
  w.byte(0x00);
  w.byte(0x0b);
  return w.finish();
}

/**
 * `box` with the program's loops probing an interrupt flag: the flag is the
 * first i32 of the exported shared memory; nonzero makes the program trap at
 * its next loop iteration.
 */
export function interruptible(box: Uint8Array): Uint8Array<ArrayBuffer> {
  const module = readModule(box);
  const section = module.customs.find((c) => c.name === MANIFEST_SECTION);
  if (!section) throw new LinkError('not a box: it has no manifest');
  const manifest = parseManifest(section.bytes);
  // The program's functions come first in a box's code section (the linker merges it first).
  const appFunctions = manifest.sizes?.app?.functions;
  if (appFunctions === undefined) throw new LinkError('the box\'s manifest does not say which functions are the program\'s');
  const memory = module.memories.length + module.imports.filter((i) => i.desc.kind === 'memory').length;
  module.memories.push({ min: 1n, max: 1n, shared: true });
  module.exports.push({ name: INTERRUPT_EXPORT, kind: 'memory', index: memory });
  const map = { ...identityMap, loopProbe: probe(memory) };
  for (let i = 0; i < appFunctions && i < module.codes.length; i++) module.codes[i]!.map = map;
  return writeModule(module);
}
