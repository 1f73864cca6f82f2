// Which capabilities a box gets (DESIGN.md §1), computed in one place from
// what each descriptor says implies it. box-link and the JS API ask with the
// options they were given; box build with its image, its ports and what the
// program imports; a RUN step with the fixed set it needs.

import type { CapabilityDescriptor, CapabilityOption } from './capability.ts';

export interface CapabilityRequest {
  /** link options as given: an option counts when set (not undefined or false; a list, when it has entries) */
  readonly options?: Readonly<Partial<Record<CapabilityOption, unknown>>>;
  /** the program's preview1 imports, for capabilities implied by what the program calls (box build) */
  readonly imports?: readonly string[];
  /** capabilities not to link even when implied (box build --deny NAME) */
  readonly without?: readonly string[];
}

/**
 * Picks from `available` (in link order) the capabilities a request implies.
 * A capability that is not available cannot be implied: its descriptor holds its rules.
 */
export function selectCapabilities(available: readonly CapabilityDescriptor[], request: CapabilityRequest): CapabilityDescriptor[] {
  const want = new Set<string>();
  for (const d of available) {
    const by = d.impliedBy;
    if (!by) continue;
    if (by.always || by.options?.some((o) => given(o, request.options?.[o])) || by.imports?.some((i) => request.imports?.some((n) => matches(i, n)))) want.add(d.name);
  }
  for (const w of request.without ?? []) want.delete(w);
  return available.filter((c) => want.has(c.name));
}

/** An option counts when set: the image even when empty (a filesystem with only its root), any other list when it has entries. */
function given(option: CapabilityOption, value: unknown): boolean {
  if (value === undefined || value === false || value === null) return false;
  if (Array.isArray(value)) return option === 'image' || value.length > 0;
  return true;
}

/** An import rule names a function, or a family of them by its prefix ending in `_`. */
function matches(rule: string, name: string): boolean {
  return rule.endsWith('_') ? name.startsWith(rule) : name === rule;
}
