// configPlacement: a manifest's placement of a capability's configuration
// (`configs`, or `vfsImage` in a box linked before it) is checked against the module before
// anything rewrites or reads the segments it names (issue 16, finding 12:
// `box run --commit` with a bogus placement crashed in the module writer).

import { describe, expect, it } from 'vitest';
import type { Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { configPlacement } from './placement.ts';

const I32 = 0x7f;

/**
 * A module with one (i32) -> i32 function, an active and two passive segments, and the vfs's placement
 * as given: in `configs`, or as an older box records it (`vfsImage`).
 */
function moduleWith(placed: unknown, field: 'configs' | 'vfsImage' = 'configs'): Module {
  const recorded = placed === undefined ? {} : field === 'configs' ? { configs: { vfs: placed } } : { vfsImage: placed };
  const manifest = { format: 1, capabilities: {}, entrypoint: '/a', args: [], env: [], hostImports: [], hostImportsBy: {}, served: {}, sizes: {}, ...recorded };
  return {
    types: [{ params: [I32], results: [I32] }, { params: [], results: [] }], imports: [], functions: [1, 0], tables: [], memories: [{ min: 1n }], tags: [], globals: [],
    exports: [], elements: [], codes: [{ locals: [], body: new Uint8Array([0x0b]) }, { locals: [], body: new Uint8Array([0x20, 0, 0x0b]) }],
    data: [
      { mode: { kind: 'active', memory: 0, offset: new Uint8Array([0x41, 0, 0x0b]) }, bytes: new Uint8Array(1) },
      { mode: { kind: 'passive' }, bytes: new Uint8Array(2) },
      { mode: { kind: 'passive' }, bytes: new Uint8Array(3) },
    ],
    customs: [{ name: 'box', bytes: new TextEncoder().encode(JSON.stringify(manifest)) }],
  } as unknown as Module;
}

describe('configPlacement', () => {
  it('accepts passive segments and an (i32) -> i32 size function; no image is fine', () => {
    expect(configPlacement(moduleWith({ first: 1, count: 2, sizeFunction: 1 }), 'vfs')).toMatchObject({ placed: { first: 1, count: 2 }, sizeCode: 1 });
    expect(configPlacement(moduleWith({ first: 1, count: 2, sizeFunction: 1 }, 'vfsImage'), 'vfs')).toMatchObject({ placed: { first: 1, count: 2 }, sizeCode: 1 });
    expect(configPlacement(moduleWith(undefined), 'vfs').placed).toBeUndefined();
  });

  it('finds a placement under its own capability only', () => {
    const placed = moduleWith({ first: 1, count: 2, sizeFunction: 1 });
    expect(configPlacement(placed, 'files').placed).toBeUndefined();
    // names every object has are not capabilities with a configuration
    expect(configPlacement(placed, 'constructor').placed).toBeUndefined();
    expect(configPlacement(placed, '__proto__').placed).toBeUndefined();
  });

  it.each([
    ['segments past the end', { first: 1, count: 3, sizeFunction: 1 }, /data segments it does not have/],
    ['an active segment', { first: 0, count: 2, sizeFunction: 1 }, /data segments it does not have/],
    ['no segments', { first: 1, count: 0, sizeFunction: 1 }, /data segments it does not have/],
    ['a function of another type', { first: 1, count: 2, sizeFunction: 0 }, /size function it does not have/],
    ['a function past the end', { first: 1, count: 2, sizeFunction: 9 }, /size function it does not have/],
    ['a malformed placement', { first: -1, count: 2, sizeFunction: 1 }, /"configs" must be an object of/],
  ])('refuses %s with a LinkError', (_, placed, message) => {
    expect(() => configPlacement(moduleWith(placed), 'vfs')).toThrow(LinkError);
    expect(() => configPlacement(moduleWith(placed), 'vfs')).toThrow(message);
    // the same checks hold for the field older boxes carry
    expect(() => configPlacement(moduleWith(placed, 'vfsImage'), 'vfs')).toThrow(LinkError);
  });
});
