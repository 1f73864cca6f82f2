// Recorded divergences from the reference a corpus was written against
// (node:wasi), per check: conformance/fs/deviations.json and
// conformance/corpus/deviations.json. Each says who departs from the preview1
// spec and wasmtime's answer (the reference for semantics) and why; RESULTS.md
// lists the box's own.

import { readFileSync } from 'node:fs';

export type Deviator = 'node:wasi' | 'box' | 'setup';

export interface Deviation {
  /** 'node:wasi': the box answers as wasmtime (or the spec, or Linux where wasmtime has no answer); 'box': the box's own deviation; 'setup': the runs differ in setup, not in behaviour */
  deviates: Deviator;
  reason: string;
}

/** program -> check label -> deviation */
export type Deviations = Record<string, Record<string, Deviation>>;

const DEVIATORS: readonly string[] = ['node:wasi', 'box', 'setup'];

/** Reads a deviations file (its `$comment` dropped); a malformed entry throws, naming it. */
export function readDeviations(url: URL): Deviations {
  const raw = JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
  delete raw.$comment;
  for (const [program, checks] of Object.entries(raw)) {
    for (const [label, d] of Object.entries(checks as Record<string, Partial<Deviation>>)) {
      if (!DEVIATORS.includes(d.deviates as string) || typeof d.reason !== 'string' || d.reason === '') {
        throw new Error(`${url.pathname}: ${program} / ${label}: needs "deviates" (${DEVIATORS.join(', ')}) and a "reason"`);
      }
    }
  }
  return raw as Deviations;
}
