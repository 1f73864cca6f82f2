// Control protocols (DESIGN.md §2.1): export names a capability module may
// have, each with a contract that the linker and the runtimes (Node, dynamic
// mode, the browser) act on. Whichever capability exports one gets the
// treatment; nothing outside the capability knows which one it is (the vfs
// keeps all three today). The list is here once; the hosts find the
// protocols by these names, in the module (link time, dynamic mode) or on
// the box's control surface (`box.<capability>.<name>`).

/** Each protocol's export name; the comments are the contracts. */
export const CONTROL = {
  /**
   * `snapshot() -> i64`: the capability's current state as framed
   * configuration segments, `(length << 32) | address` in its own memory
   * (0: its memory cannot grow). Declared in `control`, so a box exports it
   * as `box.<cap>.snapshot` beside `box.<cap>.memory` (and, single-memory,
   * `box.<cap>.base`). A run's snapshot is the first such capability's;
   * `box run --commit` puts the segments back as that capability's
   * configuration (`replaceConfig(box, cap, segments)`).
   */
  snapshot: 'snapshot',
  /**
   * `memory_limit(pages: i32)`: the host's cap on the capability's memory,
   * told before its first call, so that it answers ENOSPC at the cap
   * instead of trapping. Declared in `control` (`box.<cap>.memory_limit`).
   * Such a memory is elastic: `box run --memory` gives it a share of the
   * budget and room to copy its first configuration segment in
   * (runtime memory-budget.ts).
   */
  memoryLimit: 'memory_limit',
  /**
   * `workdir() -> i64`: the directory the program starts in,
   * `(length << 32) | address` in the capability's memory, 0 for none. The
   * box's `_start` wrapper (linker workdir.ts) and dynamic mode hand it to
   * the program's chdir after the inits. A module export only, not a
   * control export: the first capability in link order that has it answers.
   */
  workdir: 'workdir',
} as const;

export type ControlProtocol = (typeof CONTROL)[keyof typeof CONTROL];

/** The name a box exports a capability's memory or control function under. */
export function controlExport(cap: string, name: string): string {
  return `box.${cap}.${name}`;
}

/**
 * The capabilities that publish `protocol` on a box's control surface
 * (`box.<cap>.<protocol>` among `exportNames`), in export order, which is
 * link order.
 */
export function capabilitiesWith(exportNames: Iterable<string>, protocol: ControlProtocol): string[] {
  const found: string[] = [];
  for (const name of exportNames) {
    const m = /^box\.([^.]+)\.([^.]+)$/.exec(name);
    if (m && m[2] === protocol) found.push(m[1]!);
  }
  return found;
}
