// Emit: the box's sections, written from the plan and the layout. Its own
// step because it decides nothing: every index it writes was fixed by the
// layout, so what is left is copying each part's entities in part order with
// their indices remapped, then the glue, the start function, the exports
// and the name section.

import { ByteWriter } from './binary/leb.ts';
import { mapValType, rewriteExpr } from './binary/code.ts';
import { WasmFormatError } from './binary/errors.ts';
import { emptyModule, runLength, type Code, type Custom, type IndexMap, type Module, type ValType } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { TRACE_RECORD, TRACE_RECORDS } from './glue.ts';
import type { Graph, MergeOptions, Part, PartSize, Plan } from './merge.ts';
import type { Bases, FunctionLayout } from './merge-layout.ts';
import { emptyNames, readNames, writeNames } from './names.ts';
import type { NodeIndex } from './node-map.ts';

/** The box's module, and what each part ("box": the glue) contributes to it. */
export interface Emitted {
  module: Module;
  sizes: Record<string, PartSize>;
}

export function emit(app: Module, plan: Plan, bases: readonly Bases[], layout: FunctionLayout, options: MergeOptions): Emitted {
  const out = emptyModule();
  out.types = layout.types;
  out.imports = layout.imports;
  const w = new ByteWriter(1 << 16);
  const sizes: Record<string, PartSize> = {};
  plan.graph.parts.forEach((p, pi) => {
    sizes[p.name] = emitPart(out, plan.graph, pi, bases[pi]!, layout, w, pi === 0 && options.programValidated === true);
  });
  for (const segment of plan.configSegments) out.data.push({ mode: { kind: 'passive' }, bytes: segment });
  if (options.trace) {
    out.memories.push({ min: BigInt((TRACE_RECORD * TRACE_RECORDS) / 65536) });
    out.globals.push({ type: { type: 0x7f, mutable: true }, init: new Uint8Array([0x41, 0x00, 0x0b]) });
  }
  // memory.init in the box:config glue needs the datacount section; it costs three bytes.
  out.dataCount = out.data.length;

  const { size: glue, names: glueNames } = emitGlue(out, plan, layout);
  sizes.box = glue;
  if (plan.startNode !== undefined) out.start = layout.index.get(plan.startNode)!;
  emitExports(out, app, plan, bases, layout);
  if (options.trace) {
    const own = bases[plan.graph.parts.length]!;
    out.exports.push({ name: 'box.trace.memory', kind: 'memory', index: own.memory }, { name: 'box.trace.next', kind: 'global', index: own.global });
  }
  if (!options.strip) out.customs.push(...customs(app, plan.graph.parts, plan.graph.funcNode, layout.index, glueNames));
  return { module: out, sizes };
}

/** Part `pi`'s kept functions (bodies rewritten as they are written), tables, memories, tags, globals, data and elements. */
function emitPart(out: Module, graph: Graph, pi: number, base: Bases, layout: FunctionLayout, w: ByteWriter, validated: boolean): PartSize {
  const p = graph.parts[pi]!;
  const m = p.module;
  const types = layout.partTypes[pi]!;
  // Resolved once per part: the rewriter asks for every call in the code.
  const funcs = new Int32Array(p.imports.length + m.functions.length);
  for (let i = 0; i < p.imports.length; i++) funcs[i] = layout.index.get(graph.funcNode(p, i)) ?? -1;
  // the part's own functions are the nodes from firstNode on, in order: one copy (a program has tens of thousands)
  layout.index.copyNodes(p.firstNode, m.functions.length, funcs, p.imports.length);
  // Indices are checked here: the rewriter decodes encodings, not index ranges.
  const who = pi === 0 ? 'the program' : `capability ${p.name}`;
  const inRange = (what: string, i: number, n: number) => {
    if (i >= n) throw new LinkError(`${who}: ${what} index ${i} is out of range (${n} defined)`);
    return i;
  };
  const map: IndexMap = {
    func: (i) => {
      const f = funcs[i];
      if (f === undefined || f < 0) inRange('function', i, 0);
      return f!;
    },
    table: (i) => base.table + inRange('table', i, m.tables.length),
    memory: (i) => base.memory + inRange('memory', i, m.memories.length),
    global: (i) => base.global + inRange('global', i, m.globals.length),
    type: (i) => types[inRange('type', i, types.length)]!,
    tag: (i) => base.tag + inRange('tag', i, m.tags.length),
    data: (i) => base.data + inRange('data segment', i, m.data.length),
    elem: (i) => base.elem + inRange('element segment', i, m.elements.length),
    raw: {
      funcs, types, table: base.table, tables: m.tables.length, memory: base.memory, memories: m.memories.length,
      global: base.global, globals: m.globals.length, data: base.data, datas: m.data.length,
    },
  };
  const expr = (bytes: Uint8Array, offset?: number): Uint8Array => {
    w.reset();
    try {
      rewriteExpr(bytes, map, w, offset ?? 0);
    } catch (e) {
      if (e instanceof WasmFormatError) throw new LinkError(`${p.name === 'app' ? 'the program' : `capability ${p.name}`}: ${e.inSection('code').message}`);
      throw e;
    }
    return w.finish();
  };
  const size: PartSize = { functions: 0, code: 0, data: 0 };
  // Bodies are rewritten by the writer as it writes them (Code.map): one
  // streaming pass over the code, and no copy of it held in between.
  const run = m.codeRun;
  if (run) {
    // The program, read in bulk, is kept whole and comes first: its run goes on as one, with its map. Kept
    // functions get consecutive indices in node order: the first and the last a run's length apart are all of it.
    const n = runLength(run);
    const firstAt = layout.index.get(p.firstNode);
    const kept = n === 0 || (firstAt !== undefined && layout.index.get(p.firstNode + n - 1) === firstAt + n - 1);
    if (out.codeRun || out.codes.length || out.functions.length || !kept) throw new Error('a code run must come first in the box, whole');
    out.codeRun = { bytes: run.bytes, at: run.at, bodies: run.bodies, map, ...(validated ? { validated } : {}) };
    // Once per link, cold, over tens of thousands of functions: the types through a builtin, the code size in
    // one pass over two typed arrays (the entries' bytes less their sizes and locals).
    out.functions = m.functions.slice(0, n).map((t) => types[t]!);
    size.code += run.at[n]! - run.at[0]! - headerBytes(run.at, run.bodies, n);
    size.functions += n;
  }
  const first = run ? runLength(run) : 0;
  m.codes.forEach((code, j) => {
    if (layout.index.get(p.firstNode + first + j) === undefined) return;
    out.functions.push(types[m.functions[first + j]!]!);
    const c: Code = { locals: code.locals, body: code.body, map };
    if (code.offset !== undefined) c.offset = code.offset;
    if (validated) c.validated = true;
    out.codes.push(c);
    size.functions++;
    size.code += code.body.length;
  });
  // A typed reference in a table's, a global's or a segment's type names one of the part's types: the box's index goes
  // in its place (merge-types.ts says why they move). Function types and code entries are mapped where they are written.
  const valType = (v: ValType): ValType => (v < 256 ? v : mapValType(v, map));
  for (const t of m.tables) {
    const type = { elem: valType(t.type.elem), limits: t.type.limits };
    out.tables.push(t.init ? { type, init: expr(t.init) } : { type });
  }
  out.memories.push(...m.memories);
  for (const t of m.tags) out.tags.push({ attribute: t.attribute, type: types[t.type]! });
  for (const g of m.globals) out.globals.push({ type: { type: valType(g.type.type), mutable: g.type.mutable }, init: expr(g.init) });
  for (const d of m.data) {
    size.data += d.bytes.length;
    out.data.push(d.mode.kind === 'active'
      ? { mode: { kind: 'active', memory: map.memory(d.mode.memory), offset: expr(d.mode.offset) }, bytes: d.bytes }
      : { mode: d.mode, bytes: d.bytes });
  }
  for (const e of m.elements) {
    const mode = e.mode.kind === 'active'
      ? { kind: 'active' as const, table: map.table(e.mode.table), offset: expr(e.mode.offset) }
      : e.mode;
    out.elements.push({ mode, type: valType(e.type), funcs: e.funcs?.map(map.func), exprs: e.exprs?.map((x) => expr(x)) });
  }
  return size;
}

/** The sum over i < n of bodies[i] - at[i]: the bytes of a run's entries before their instructions (sizes and locals). */
function headerBytes(at: Uint32Array, bodies: Uint32Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += bodies[i]! - at[i]!;
  return sum;
}

/** The reached glue, built over final indices; its size and names (for the name section). */
function emitGlue(out: Module, plan: Plan, layout: FunctionLayout): { size: PartSize; names: Map<number, string> } {
  const size: PartSize = { functions: 0, code: 0, data: 0 };
  const names = new Map<number, string>();
  plan.graph.synths.forEach((s, i) => {
    const at = layout.index.get(plan.graph.synthNode(i));
    if (at === undefined) return;
    names.set(at, s.name);
    out.functions.push(layout.synthTypes[i]!);
    const calls = s.calls?.map((c) => layout.index.get(c)!) ?? [];
    const code = s.build(calls);
    out.codes.push(code);
    size.functions++;
    size.code += code.body.length;
  });
  return { size, names };
}

/** The program's exports (its entry point now the wrapper), then the runtime's control surface. */
function emitExports(out: Module, app: Module, plan: Plan, bases: readonly Bases[], layout: FunctionLayout): void {
  const { parts, funcNode } = plan.graph;
  const wrapper = layout.index.get(plan.wrapperNode)!;
  for (const e of app.exports) {
    if (e.name === plan.entryName) out.exports.push({ name: e.name, kind: 'func', index: wrapper });
    else if (e.kind === 'func') out.exports.push({ name: e.name, kind: 'func', index: layout.index.get(funcNode(parts[0]!, e.index))! });
    else out.exports.push({ name: e.name, kind: e.kind, index: bases[0]![e.kind] + e.index });
  }
  parts.slice(1).forEach((p, i) => {
    // The runtime's control surface: capability memories and declared control functions (snapshots, commits).
    p.module.memories.forEach((_, j) => { out.exports.push({ name: `box.${p.name}.memory${j ? j : ''}`, kind: 'memory', index: bases[i + 1]!.memory + j }); });
    for (const [name, node] of plan.controls[i]!) out.exports.push({ name: `box.${p.name}.${name}`, kind: 'func', index: layout.index.get(node)! });
  });
}

/** The program's custom sections, with the name section merged; capabilities' are dropped. */
function customs(
  app: Module, parts: readonly Part[], funcNode: (p: Part, i: number) => number | string,
  finalIndex: NodeIndex, glueNames: Map<number, string>,
): Custom[] {
  const appPart = parts[0]!;
  const names = emptyNames();
  const appNames = app.customs.find((c) => c.name === 'name');
  const source = appNames ? readNames(appNames.bytes) : emptyNames();
  if (source.module !== undefined) names.module = source.module;
  for (const [i, name] of source.functions) {
    const at = finalIndex.get(funcNode(appPart, i));
    if (at !== undefined && i >= appPart.imports.length) names.functions.set(at, name);
  }
  for (const [i, locals] of source.locals) {
    const at = finalIndex.get(funcNode(appPart, i));
    if (at !== undefined && i >= appPart.imports.length) names.locals.set(at, locals);
  }
  // App globals and data segments keep their indices: the program's come first.
  names.globals = source.globals;
  names.data = source.data;
  for (const [name, at] of finalIndex.hostNames()) names.functions.set(at, `wasi:${name}`);
  parts.slice(1).forEach((p) => {
    const own = p.module.customs.find((c) => c.name === 'name');
    const fromSection = own ? readNames(own.bytes).functions : new Map<number, string>();
    const fromExports = new Map(p.module.exports.filter((e) => e.kind === 'func').map((e) => [e.index, e.name]));
    for (let j = 0; j < p.module.functions.length; j++) {
      const i = p.imports.length + j;
      const at = finalIndex.get(funcNode(p, i));
      if (at === undefined) continue;
      // Internals without a name of their own stay unnamed: a trap's frames still
      // name the capability's entry point ("vfs:path_open"), and made-up names
      // ("vfs:f95") cost every box ~2 KB.
      const name = fromSection.get(i) ?? fromExports.get(i);
      if (name !== undefined) names.functions.set(at, `${p.name}:${name}`);
    }
  });
  for (const [at, name] of glueNames) names.functions.set(at, name);

  const kept = app.customs.filter((c) => c.name !== 'name' && c.name !== 'box');
  return [...kept, { name: 'name', bytes: writeNames(names), after: 11 }];
}
