import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { link, readModule } from '@marcotte/linker';
import { kernel } from '@marcotte/kernel';
import { vfs } from '@marcotte/vfs';
import { proc } from '@marcotte/proc';
import { clock } from '@marcotte/clock';
import { decodeParts, findCustomSection, PARTS_SECTION } from '@marcotte/abi';
import { capParts, capStaticBox, CAPABILITY_PAGES, MIN_ELASTIC_PAGES, splitBudget, splitParts, elasticPagesFor } from './memory-budget.ts';
import { StartError } from './errors.ts';

const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
const everything = () => link(hello, {
  capabilities: [kernel, clock, vfs, proc], entrypoint: 'hello.wasm', args: [], env: [], portable: true,
});

describe('--memory budget', () => {
  it('splits: fixed memories keep their size, capabilities 1 MiB, an elastic one (the vfs) a quarter, the program the rest', () => {
    expect(splitBudget(256, [
      { role: 'program', min: 2 }, { role: 'capability', min: 1 }, { role: 'elastic', min: 1 }, { role: 'fixed', min: 3 },
    ])).toEqual([256 - CAPABILITY_PAGES - 64 - 3, CAPABILITY_PAGES, 64, 3]);
    expect(splitBudget(64, [{ role: 'program', min: 1 }, { role: 'elastic', min: 1 }])).toEqual([64 - MIN_ELASTIC_PAGES, MIN_ELASTIC_PAGES]);
    expect(() => splitBudget(40, [{ role: 'program', min: 16 }, { role: 'elastic', min: 1 }])).toThrow(StartError);
    // --memory 64g: no memory may declare more than 4 GiB
    expect(splitBudget(1 << 20, [{ role: 'program', min: 2 }, { role: 'elastic', min: 1 }])).toEqual([65536, 65536]);
    expect(() => splitBudget(40, [{ role: 'program', min: 16 }, { role: 'elastic', min: 1 }])).toThrow(/the box needs at least 3 MiB to start/);
  });

  it('declares a maximum on every memory of a static box, and they sum to the budget', () => {
    const budget = 256;
    const capped = readModule(capStaticBox(everything().bytes, budget).bytes);
    expect(capped.memories.length).toBeGreaterThan(4);
    expect(capped.memories.every((m) => m.max !== undefined)).toBe(true);
    expect(capped.memories.reduce((sum, m) => sum + Number(m.max), 0)).toBeLessThanOrEqual(budget);
    expect(capStaticBox(everything().bytes, budget).limits).toEqual({ vfs: 64 });
  });

  it('splits a single-memory box over its regions: each region\'s limit global is lowered, the memory stays as laid out', () => {
    const box = link(hello, { capabilities: [kernel, clock, vfs, proc], entrypoint: 'hello.wasm', args: [], env: [], singleMemory: true }).bytes;
    const budget = 256;
    const capped = capStaticBox(box, budget);
    const module = readModule(capped.bytes);
    expect(module.memories).toEqual(readModule(box).memories);
    const limit = (name: string) => {
      const g = module.exports.find((e) => e.name === `box.${name}.limit`)!;
      return readLeb(module.globals[g.index]!.init);
    };
    expect(limit('kernel')).toBe(CAPABILITY_PAGES);
    expect(limit('vfs')).toBe(64);
    expect(capped.limits).toEqual({ vfs: 64 });
    const scratch = 1;
    expect(limit('app')).toBe(budget - 3 * CAPABILITY_PAGES - 64 - scratch);
    expect(capped.programBytes).toBe(limit('app') * 65536);
    expect(['app', 'kernel', 'clock', 'vfs', 'proc'].reduce((n, r) => n + limit(r), 0) + scratch).toBe(budget);
  });

  it('gives the vfs room for its image index, which it copies at its first call, before the program', () => {
    const image = Array.from({ length: 3000 }, (_, i) => ({ path: `/file-${i}`, type: 'file' as const }));
    const box = link(hello, { capabilities: [kernel, vfs], entrypoint: 'hello.wasm', args: [], env: [], image, portable: true });
    const parts = decodeParts(findCustomSection(box.bytes, PARTS_SECTION)!);
    const need = elasticPagesFor(parts.capabilities.find((c) => c.name === 'vfs')!.config[0]!.length);
    expect(need).toBeGreaterThan(MIN_ELASTIC_PAGES);
    expect(capStaticBox(box.bytes, 64).limits).toEqual({ vfs: need });
    expect(splitParts(64, parts.program, parts.capabilities).capabilities[1]).toBe(need);
  });

  it('splits a portable box\'s parts the same way', () => {
    const parts = decodeParts(findCustomSection(everything().bytes, PARTS_SECTION)!);
    const split = splitParts(256, parts.program, parts.capabilities);
    expect(split.program + split.capabilities.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(256);
    expect(split.capabilities[parts.capabilities.findIndex((c) => c.name === 'vfs')]).toBe(64);
    const capped = capParts(parts, 256);
    const maxima = [capped.parts.program, ...capped.parts.capabilities.map((c) => c.wasm)].map((w) => Number(readModule(w).memories[0]!.max));
    expect(maxima.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(256);
    expect(capped.limits).toEqual({ vfs: 64 });
  });
});

/** The value of an `i32.const N end` initializer. */
function readLeb(init: Uint8Array): number {
  let v = 0, shift = 0, i = 1, b = 0;
  do { b = init[i++]!; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
  return v;
}
