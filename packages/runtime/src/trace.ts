// --trace: the calls a box recorded in its trace ring (box.trace.memory,
// written by the linker's wrappers around the program's WASI imports),
// printed as lines such as `fd_write(1, 66552, 1, 66548) = 0 (SUCCESS)`.

import { ERRNO_NAMES, FUNCTIONS, type Manifest } from '@marcotte/abi';

const RECORD = 128;
const RECORDS = 2048;
const PARAMS = new Map(FUNCTIONS.map((f) => [f.name, f.params.map((p) => p.wasm)]));

export function formatCall(name: string, args: readonly bigint[], result: number | undefined): string {
  const kinds = PARAMS.get(name) ?? [];
  const shown = kinds.map((kind, i) => (kind === 'i64' ? BigInt.asIntN(64, args[i] ?? 0n) : Number((args[i] ?? 0n) & 0xffff_ffffn)).toString());
  const outcome = result === undefined ? '(did not return)' : `${result} (${ERRNO_NAMES[result] ?? '?'})`;
  return `${name}(${shown.join(', ')}) = ${name === 'proc_exit' && result === undefined ? '(exit)' : outcome}`;
}

/** The recorded calls, oldest first (the ring keeps the last 2048). */
export function readTrace(manifest: Manifest, exports: WebAssembly.Exports): string[] {
  const memory = exports['box.trace.memory'] as WebAssembly.Memory | undefined;
  const next = exports['box.trace.next'] as WebAssembly.Global | undefined;
  if (!memory || !next || !manifest.trace) return [];
  // A single-memory box lays the ring into memory 0 at box.trace.base (linker single-memory.ts).
  const base = ((exports['box.trace.base'] as WebAssembly.Global | undefined)?.value as number | undefined ?? 0) >>> 0;
  const view = new DataView(memory.buffer, base);
  const end = next.value as number;
  const lines: string[] = [];
  for (let i = Math.max(0, end - RECORDS); i < end; i++) {
    const at = (i % RECORDS) * RECORD;
    const name = manifest.trace[view.getUint32(at, true)] ?? '?';
    const result = view.getInt32(at + 4, true);
    const args = Array.from({ length: 9 }, (_, k) => view.getBigUint64(at + 8 + 8 * k, true));
    lines.push(formatCall(name, args, result === -1 ? undefined : result));
  }
  return lines;
}
