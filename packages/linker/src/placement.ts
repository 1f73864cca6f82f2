// Where a box's manifest says a capability's configuration lives (the first
// data segment, how many, the glue function answering their sizes), checked
// against the module itself: `box run --commit`, FROM and relink rewrite or
// read those segments, and a damaged manifest must be refused in one line
// before anything runs, not fail inside the module writer afterwards.

import { BoxFormatError, checkAuthority, configPlacementOf, MANIFEST_SECTION, parseManifest, type ConfigPlacement, type Manifest } from '@marcotte/abi';
import type { Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { funcType, funcTypeKey } from './signature.ts';

export interface CheckedPlacement {
  manifest: Manifest;
  /** undefined when the manifest records no configuration of that capability */
  placed?: ConfigPlacement;
  /** index of the size function among the module's own (not imported) functions */
  sizeCode?: number;
}

/** Import kinds by their binary code (sections.ts's Import.kind). */
const IMPORT_KINDS = ['func', 'table', 'memory', 'global', 'tag'];

const SIZE_TYPE = funcTypeKey(funcType(['i32'], ['i32']));

/** The box's manifest and where it places `cap`'s configuration, checked: LinkError when the manifest does not fit the module. */
export function configPlacement(module: Module, cap: string): CheckedPlacement {
  const section = module.customs.find((c) => c.name === MANIFEST_SECTION);
  if (!section) throw new LinkError('not a box: it has no manifest');
  let manifest: Manifest;
  try {
    manifest = parseManifest(section.bytes);
    checkAuthority(manifest, module.imports.map((i) => ({ module: i.module, name: i.name, kind: IMPORT_KINDS.indexOf(i.desc.kind) })));
  } catch (e) {
    if (e instanceof BoxFormatError) throw new LinkError(e.message);
    throw e;
  }
  const placed = configPlacementOf(manifest, cap);
  if (!placed) return { manifest };
  // The messages say "image": format 1 records only the vfs's configuration, its image.
  const segments = module.data.slice(placed.first, placed.first + placed.count);
  if (placed.count === 0 || segments.length !== placed.count || segments.some((s) => s.mode.kind !== 'passive')) {
    throw new LinkError('the box\'s manifest places its image on data segments it does not have');
  }
  const imported = module.imports.filter((i) => i.desc.kind === 'func').length;
  const sizeCode = placed.sizeFunction - imported;
  const type = module.types[module.functions[sizeCode] ?? -1];
  if (sizeCode < 0 || !type || funcTypeKey(type) !== SIZE_TYPE) {
    throw new LinkError('the box\'s manifest names an image size function it does not have');
  }
  return { manifest, placed, sizeCode };
}
