// Starting the program in the box's working directory (WORKDIR, --workdir,
// box run -w). wasi-libc starts every program at "/" (its __wasilibc_cwd) and
// preview1 has no call to change that from outside, but the box links the
// program: when the program carries wasi-libc's chdir (and the malloc it
// uses), named in its name section, the _start wrapper calls chdir with the
// directory the workdir protocol answers (abi controls.ts: the first
// capability exporting `workdir`, the vfs today) before the program's own
// _start. Without chdir, wasi-libc
// resolves every relative path from "/" (__wasilibc_find_relpath falls back to
// find_abspath), so there is nothing to set: the link says so.
//
// Order: after the capability inits (the filesystem answers the stat chdir makes),
// before the program's _start. chdir needs one thing _start sets up: the
// preopen table. Older wasi-libc fills it in a constructor
// (__wasilibc_populate_preopens, priority 51), newer ones on first use behind
// a flag; the glue calls it first when the program names it. With the older
// version the constructor then scans again and lists each preopen twice, which
// lookups do not notice (the longest prefix wins, and both entries are the
// same fd). malloc needs no constructor, and __wasilibc_cwd is a plain pointer
// the constructors leave alone.
// The workdir is asked for at run time, not baked into the glue, so
// `box run -w` and `box run --commit` (which rewrite the capability's
// configuration, the vfs image) keep it.

import { ByteWriter } from './binary/leb.ts';
import type { Module } from './binary/module.ts';
import type { Synth } from './glue.ts';
import { readNames } from './names.ts';
import { funcType } from './signature.ts';

const I32 = 0x7f, I64 = 0x7e;

export interface CwdFunctions {
  chdir: number;
  malloc: number;
  free?: number;
  /** wasi-libc's preopen scan, when chdir would otherwise run before it (it is a constructor in some versions) */
  populate?: number;
}

/** Why the program cannot be started in a directory, or its chdir/malloc/free (program function indices). */
export function cwdFunctions(app: Module): CwdFunctions | string {
  const custom = app.customs.find((c) => c.name === 'name');
  if (!custom) return 'the program has no name section (stripped), so its chdir cannot be found';
  const byName = new Map<string, number>();
  for (const [index, name] of readNames(custom.bytes).functions) if (!byName.has(name)) byName.set(name, index);
  const imported = app.imports.filter((i) => i.desc.kind === 'func').length;
  // wasi-libc's malloc and free are aliases of dlmalloc's; the name section keeps one of the names.
  const typed = (names: string, params: number[], results: number[]): number | undefined => {
    const name = names.split('|').find((n) => byName.has(n));
    const index = name === undefined ? undefined : byName.get(name);
    if (index === undefined || index < imported) return undefined;
    const t = app.types[app.functions[index - imported]!];
    if (!t || t.params.join() !== params.join() || t.results.join() !== results.join()) return undefined;
    return index;
  };
  const chdir = typed('chdir', [I32], [I32]);
  if (chdir === undefined) return 'the program does not contain chdir (wasi-libc links it only into programs that call chdir)';
  const malloc = typed('malloc|dlmalloc', [I32], [I32]);
  if (malloc === undefined) return 'the program has chdir but no malloc to put the directory in';
  const free = typed('free|dlfree', [I32], []);
  const populate = typed('__wasilibc_populate_preopens', [], []);
  return { chdir, malloc, ...(free !== undefined ? { free } : {}), ...(populate !== undefined ? { populate } : {}) };
}

/**
 * box:workdir, () -> (): w = workdir(); if w: p = malloc(len + 1), copy
 * the bytes from that capability's memory (`memory`, its index in the box),
 * NUL, chdir(p), free(p). chdir copies the
 * path, and a failure (the directory is missing from a host mount not given
 * at run time) leaves the program at "/", as it would start anyway.
 */
export function workdirStart(fns: CwdFunctions, workdir: number, memory: () => number): Synth {
  const calls = [workdir, fns.malloc, fns.chdir, fns.free ?? -1, fns.populate ?? -1].filter((c) => c >= 0);
  const hasFree = fns.free !== undefined, hasPopulate = fns.populate !== undefined;
  return {
    name: 'box:workdir',
    type: funcType([], []),
    calls,
    build: (resolved) => {
      const [dir, malloc, chdir] = resolved;
      const free = hasFree ? resolved[3] : undefined;
      const populate = hasPopulate ? resolved[hasFree ? 4 : 3] : undefined;
      const W = 0, LEN = 1, P = 2;
      const w = new ByteWriter(64);
      w.byte(0x10); w.u32(dir!); // call workdir
      w.byte(0x22); w.u32(W); // local.tee w
      w.byte(0x50); // i64.eqz
      w.byte(0x04); w.byte(0x40); w.byte(0x0f); w.byte(0x0b); // if return end
      w.byte(0x20); w.u32(W); w.byte(0x42); w.s32(32); w.byte(0x88); w.byte(0xa7); w.byte(0x21); w.u32(LEN); // len = w >> 32
      w.byte(0x20); w.u32(LEN); w.byte(0x41); w.s32(1); w.byte(0x6a); // len + 1
      w.byte(0x10); w.u32(malloc!);
      w.byte(0x22); w.u32(P); // local.tee p
      w.byte(0x45); // i32.eqz
      w.byte(0x04); w.byte(0x40); w.byte(0x0f); w.byte(0x0b); // if return end (no memory: start at "/")
      // memory.copy program(0) <- the capability's: p, (i32) w, len
      w.byte(0x20); w.u32(P); w.byte(0x20); w.u32(W); w.byte(0xa7); w.byte(0x20); w.u32(LEN);
      w.byte(0xfc); w.u32(10); w.u32(0); w.u32(memory());
      // p[len] = 0
      w.byte(0x20); w.u32(P); w.byte(0x20); w.u32(LEN); w.byte(0x6a); w.byte(0x41); w.s32(0); w.byte(0x3a); w.u32(0); w.u32(0);
      if (populate !== undefined) {
        w.byte(0x10); w.u32(populate);
      }
      w.byte(0x20); w.u32(P); w.byte(0x10); w.u32(chdir!); w.byte(0x1a); // chdir(p), result dropped
      if (free !== undefined) {
        w.byte(0x20); w.u32(P); w.byte(0x10); w.u32(free);
      }
      w.byte(0x0b);
      return { locals: [{ count: 1, type: I64 }, { count: 2, type: I32 }], body: w.finish() };
    },
  };
}
