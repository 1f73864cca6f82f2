// WORKDIR in dynamic mode: what the static box's box:workdir glue does
// (linker: workdir.ts), done from JavaScript between the capability inits
// and the program's _start. The program's chdir, malloc, free and wasi-libc's
// preopen scan are not exports, so the program is compiled with them
// exported under names of our own, found as the linker finds them (by name
// and type in its name section). Nothing else about the program changes: its
// imports, the box's authority, are untouched, and it is given nothing the
// static glue does not give it (its own functions, called with its own
// memory).

import { CONTROL } from '@marcotte/abi';
import { cwdFunctions, readModule, writeModule, type CwdFunctions } from '@marcotte/linker/runtime';

const EXPORTS: Record<keyof CwdFunctions, string> = {
  chdir: 'box.workdir.chdir', malloc: 'box.workdir.malloc', free: 'box.workdir.free', populate: 'box.workdir.populate',
};

type Fn = (...args: unknown[]) => unknown;

/**
 * The program with its cwd functions exported, or undefined when it has
 * none to export (stripped, no chdir: it starts in "/", as the static box
 * says in its manifest) or cannot be read here (compiling it will say why).
 */
export function exportCwdFunctions(program: Uint8Array): Uint8Array | undefined {
  let module: ReturnType<typeof readModule>;
  try {
    module = readModule(program);
  } catch {
    return undefined;
  }
  const fns = cwdFunctions(module);
  if (typeof fns === 'string') return undefined;
  const names = Object.values(EXPORTS);
  if (module.exports.some((e) => names.includes(e.name))) return undefined;
  for (const [key, index] of Object.entries(fns) as [keyof CwdFunctions, number][]) module.exports.push({ name: EXPORTS[key], kind: 'func', index });
  return writeModule(module);
}

/**
 * w = workdir() of `capability` (abi controls.ts: length << 32 |
 * address in its memory); when set:
 * p = malloc(len + 1), the bytes and a NUL copied into the program's
 * memory, the preopen scan when the program has one, chdir(p), free(p). As
 * in the static glue, a failing chdir leaves the program in "/".
 */
export function enterWorkdir(app: WebAssembly.Instance, capability: WebAssembly.Instance): void {
  const x = app.exports;
  const workdir = capability.exports[CONTROL.workdir] as Fn | undefined;
  const chdir = x[EXPORTS.chdir] as Fn | undefined;
  const malloc = x[EXPORTS.malloc] as Fn | undefined;
  if (!workdir || !chdir || !malloc) return;
  const w = BigInt(workdir() as bigint);
  if (w === 0n) return;
  const len = Number(w >> 32n);
  const at = Number(w & 0xffffffffn);
  const p = (malloc(len + 1) as number) >>> 0;
  if (p === 0) return;
  const from = new Uint8Array((capability.exports.memory as WebAssembly.Memory).buffer, at, len);
  const to = new Uint8Array((x.memory as WebAssembly.Memory).buffer, p, len + 1);
  to.set(from);
  to[len] = 0;
  (x[EXPORTS.populate] as Fn | undefined)?.();
  chdir(p);
  (x[EXPORTS.free] as Fn | undefined)?.(p);
}
