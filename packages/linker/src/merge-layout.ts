// Layout: where everything lands in the box's index spaces. Two halves,
// because they are decided by different things: memories, tables, globals,
// tags, data and element segments follow part order alone (partBases, known
// before planning, which places glue by them: the box:config segments, the
// trace ring, the vfs memory the workdir glue reads), while functions and
// their types are laid out only after reachability has dropped what nothing
// calls (layoutFunctions).

import { WASI_MODULE } from '@marcotte/abi';
import type { FuncType, Import, Module } from './binary/module.ts';
import type { Plan } from './merge.ts';
import type { Reach } from './merge-reach.ts';
import { BoxTypes } from './merge-types.ts';
import { NodeIndex } from './node-map.ts';

/** Where a part's memories, tables, globals, tags, data and element segments start in the box. */
export interface Bases {
  memory: number;
  table: number;
  global: number;
  tag: number;
  data: number;
  elem: number;
}

/**
 * Each part's bases, in part order, then one more entry past the last part:
 * where the box's own entities go (its config segments, the trace memory and global).
 */
export function partBases(modules: readonly Module[]): Bases[] {
  let memories = 0, tables = 0, globals = 0, tags = 0, data = 0, elems = 0;
  const bases = modules.map((m) => {
    const b = { memory: memories, table: tables, global: globals, tag: tags, data, elem: elems };
    memories += m.memories.length;
    tables += m.tables.length;
    globals += m.globals.length;
    tags += m.tags.length;
    data += m.data.length;
    elems += m.elements.length;
    return b;
  });
  return [...bases, { memory: memories, table: tables, global: globals, tag: tags, data, elem: elems }];
}

/** The box's function and type index spaces. */
export interface FunctionLayout {
  /** the type section: each distinct signature once, in first-use order (typed references name box types: merge-types.ts) */
  types: FuncType[];
  /** each part's type indices, as indices into `types` */
  partTypes: number[][];
  /** each synthesized function's type in `types` (-1: not reached) */
  synthTypes: number[];
  /** the import section: the host functions something reached calls, in first-use order */
  imports: Import[];
  /** node or host import name -> function index in the box; only what is reached has one */
  index: NodeIndex;
}

/**
 * Host imports first, then each part's kept functions and the kept glue, in
 * node order. Types are interned in the order the emitted sections use
 * them: the host imports', then each part's, then the glue's.
 */
export function layoutFunctions(plan: Plan, { reached }: Reach): FunctionLayout {
  const { parts, synths, nodes, synthNode } = plan.graph;
  const types = new BoxTypes();
  const index = new NodeIndex(nodes + synths.length);
  const imports: Import[] = [];
  for (const h of plan.hostImports) {
    if (!reached.has(h.name)) continue;
    index.set(h.name, imports.length);
    imports.push({ module: WASI_MODULE, name: h.name, desc: { kind: 'func', type: types.intern(h.type) } });
  }
  let nextFunc = imports.length;
  for (let n = 0; n < nodes + synths.length; n++) if (reached.has(n)) index.set(n, nextFunc++);
  const partTypes = parts.map((p, pi) => types.internPart(p.module.types, pi === 0 ? 'the program' : `capability ${p.name}`));
  const synthTypes = synths.map((s, i) => (reached.has(synthNode(i)) ? types.intern(s.type) : -1));
  return { types: types.types, partTypes, synthTypes, imports, index };
}
