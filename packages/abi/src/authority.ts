// A box's authority is its import section (DESIGN.md §2): the host functions
// it can call. The manifest repeats it for people and tools, but anyone can
// rewrite a custom section, so every reader checks the manifest's claims
// against the imports before believing any of them.

import type { Manifest } from './box.ts';
import { BoxFormatError } from './errors.ts';
import { moduleImports, type Import } from './sections.ts';
import { FUNCTIONS, WASI_MODULE } from './table.ts';

/** Host functions each --deny class covers: the authority it takes away. */
export const DENY_CLASSES: Readonly<Record<string, (name: string) => boolean>> = {
  // Every host file is reached through a preopen: without these, none is.
  fs: (n) => n.startsWith('path_') || n === 'fd_prestat_get' || n === 'fd_prestat_dir_name',
  net: (n) => n.startsWith('sock_'),
  proc: (n) => n.startsWith('args_') || n.startsWith('environ_'),
  clock: (n) => n.startsWith('clock_'),
  random: (n) => n === 'random_get',
};

/**
 * The one check of --deny classes (box-link, box build, the link and build
 * APIs): the message naming the first that is not a class, or undefined when
 * all are. Own keys only: `toString` or `constructor` is no class.
 */
export function denyError(deny: readonly string[]): string | undefined {
  const bad = deny.find((d) => !Object.hasOwn(DENY_CLASSES, d));
  return bad === undefined ? undefined : `--deny ${bad}: unknown capability (expected one of ${Object.keys(DENY_CLASSES).join(', ')})`;
}

/** What a sealed box may still ask its host for: the bytes of stdio, and its exit. */
export const SEALED_ALLOWED: ReadonlySet<string> = new Set(['fd_write', 'fd_read', 'proc_exit']);

/**
 * Host functions no box is ever given, whatever it imports: on a real host
 * proc_raise signals the whole runtime process (SIGUSR1 opens Node's
 * inspector, SIGSTOP freezes it past its time limit). Boxes answer it
 * themselves (ENOSYS) and every runtime answers ENOSYS to a box that imports it.
 */
export const NEVER_HOST: ReadonlySet<string> = new Set(['proc_raise']);

const PREVIEW1 = new Set(FUNCTIONS.map((f) => f.name));

function damaged(why: string): BoxFormatError {
  return new BoxFormatError(`the box is damaged: ${why}`);
}

const list = (names: Iterable<string>) => [...names].sort().join(', ');

/**
 * Throws BoxFormatError when the manifest claims other authority than the
 * module's imports give it: a box imports only preview1 functions, exactly
 * the manifest's hostImports, none of a denied class, and only stdio and
 * exit when sealed.
 */
export function checkAuthority(manifest: Manifest, imports: readonly Import[]): void {
  const imported = new Set<string>();
  for (const imp of imports) {
    if (imp.module !== WASI_MODULE || imp.kind !== 0 || !PREVIEW1.has(imp.name)) {
      throw damaged(`it imports ${imp.module}.${imp.name}, which no box imports (only ${WASI_MODULE} functions)`);
    }
    imported.add(imp.name);
  }
  const claimed = new Set(manifest.hostImports);
  const unlisted = [...imported].filter((n) => !claimed.has(n));
  const absent = [...claimed].filter((n) => !imported.has(n));
  if (unlisted.length || absent.length) {
    const parts = [
      ...(unlisted.length ? [`imports ${list(unlisted)} without listing ${unlisted.length > 1 ? 'them' : 'it'}`] : []),
      ...(absent.length ? [`lists ${list(absent)} without importing ${absent.length > 1 ? 'them' : 'it'}`] : []),
    ];
    throw damaged(`its manifest does not match its import section: it ${parts.join(' and ')}`);
  }
  if (manifest.hostImportsBy) {
    const by = Object.keys(manifest.hostImportsBy);
    if (by.length !== imported.size || by.some((n) => !imported.has(n))) {
      throw damaged(`its manifest's hostImportsBy names other functions than its import section (${list(by)})`);
    }
  }
  if (manifest.sealed) {
    const extra = [...imported].filter((n) => !SEALED_ALLOWED.has(n));
    if (extra.length) throw damaged(`its manifest says sealed, but it imports ${list(extra)}`);
  }
  for (const d of manifest.denied ?? []) {
    const inClass = Object.hasOwn(DENY_CLASSES, d) ? DENY_CLASSES[d] : undefined;
    if (!inClass) throw damaged(`its manifest denies "${d}", which is not a capability class`);
    const extra = [...imported].filter(inClass);
    if (extra.length) throw damaged(`its manifest says ${d} is denied, but it imports ${list(extra)}`);
  }
}

/**
 * The host functions a box may call: what its import section imports, less
 * what no box is given. Dynamic mode grants the parts nothing else, so a
 * rewritten box.parts section cannot reach more than the box it rides in.
 */
export function hostImportNames(bytes: Uint8Array): Set<string> {
  return new Set(moduleImports(bytes).filter((i) => i.module === WASI_MODULE && i.kind === 0 && !NEVER_HOST.has(i.name)).map((i) => i.name));
}
