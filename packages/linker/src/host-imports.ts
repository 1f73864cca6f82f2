// What a host checks before it compiles a box (or a dynamic-mode part): each
// wasi_snapshot_preview1 import is a preview1 function with the spec's type.
// The linker never writes anything else, but a box is a file anyone can edit,
// and a host function called with the wrong types misbehaves in the host
// (proc_exit declared (i64) handed node:wasi a BigInt exit code).

import { readModule } from './binary/reader.ts';
import { formatFuncType, sameFuncType, WASI_TYPES } from './signature.ts';

/** What is wrong with the module's preview1 imports, as one sentence; undefined when nothing is. */
export function wasiImportProblem(bytes: Uint8Array): string | undefined {
  const module = readModule(bytes, { importsOnly: true });
  for (const imp of module.imports) {
    if (imp.module !== 'wasi_snapshot_preview1') continue;
    const what = `wasi_snapshot_preview1.${imp.name}`;
    if (imp.desc.kind !== 'func') return `it imports ${what} as a ${imp.desc.kind}`;
    const expected = WASI_TYPES.get(imp.name);
    if (!expected) return `it imports ${what}, which is not a preview1 function`;
    const type = module.types[imp.desc.type];
    if (!type || !sameFuncType(type, expected)) {
      return `it imports ${what} with type ${type ? formatFuncType(type) : 'of an unknown index'}, expected ${formatFuncType(expected)}`;
    }
  }
  return undefined;
}
