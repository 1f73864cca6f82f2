// A box whose import section declares a preview1 function with other types
// than the spec's is refused before it starts, in static and dynamic mode
// (issue 16, finding 12: proc_exit declared (i64) handed node:wasi a BigInt
// exit code, and box run ended with a stack trace).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeParts, encodeParts, PARTS_SECTION } from '@marcotte/abi';
import { kernel } from '@marcotte/kernel';
import { link, readModule, writeModule } from '@marcotte/linker';
import { StartError } from './errors.ts';
import { runBox } from './node.ts';

const dirDump = readFileSync(new URL('../../../conformance/programs/dir_dump.wasm', import.meta.url));
const I64 = 0x7e;

/** `wasm` with its wasi_snapshot_preview1.proc_exit import retyped (i64) -> (). */
function procExitI64(wasm: Uint8Array): Uint8Array {
  const m = readModule(wasm);
  const imp = m.imports.find((i) => i.module === 'wasi_snapshot_preview1' && i.name === 'proc_exit' && i.desc.kind === 'func');
  if (imp?.desc.kind !== 'func') throw new Error('no proc_exit import to forge');
  m.types.push({ params: [I64], results: [] });
  imp.desc.type = m.types.length - 1;
  return writeModule(m);
}

describe('a box importing a preview1 function with the wrong types', () => {
  const { bytes } = link(dirDump, { capabilities: [kernel], entrypoint: '/dir_dump', args: [], env: [], portable: true });

  it('is refused in static mode', async () => {
    const forged = procExitI64(bytes);
    await expect(runBox(forged, { mode: 'static' })).rejects.toThrow(StartError);
    await expect(runBox(forged, { mode: 'static' })).rejects.toThrow(
      'the box does not follow preview1: it imports wasi_snapshot_preview1.proc_exit with type (i64) -> (), expected (i32) -> ()',
    );
  });

  it('is refused in dynamic mode, where the parts are checked', async () => {
    const m = readModule(bytes);
    const section = m.customs.find((c) => c.name === PARTS_SECTION)!;
    const parts = decodeParts(section.bytes);
    parts.program = procExitI64(parts.program);
    section.bytes = encodeParts(parts);
    const forged = writeModule(m);
    await expect(runBox(forged, { mode: 'dynamic' })).rejects.toThrow(StartError);
    // checkParts finds it first: the parts no longer merge into the box.
    await expect(runBox(forged, { mode: 'dynamic' })).rejects.toThrow(/the program:? (it )?imports wasi_snapshot_preview1\.proc_exit with type \(i64\) -> \(\)/);
  });
});
