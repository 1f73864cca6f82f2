// Merging the program and its capability modules into one module (the box).
//
// Index spaces of the result, in order:
//   functions: host imports (those still reachable), the program's own
//              functions (all of them), each capability's reachable
//              functions in link order, then the synthesized glue;
//   memories:  the program's memory 0, then each capability's;
//   tables, globals, tags, data, elements: each part's, in part order.
// The program's WASI imports resolve to capability exports; capabilities'
// own WASI imports stay host imports. The two are resolved separately, so a
// capability's import of fd_write can never bind to the kernel's export of
// the same name (DESIGN.md §6). Capability functions nothing reachable calls
// are dropped, and with them the host imports only they used: a box pays, in
// size and in authority, only for the calls its program can make.
//
// merge() runs five steps, each a function over plain records:
//   plan      (planMerge, here): parts, providers, import resolution, host
//             imports, and the glue around them (trace, start, entry wrapper,
//             control functions);
//   reach     (merge-reach.ts): what the program, the start chain, the entry
//             wrapper and the control surface can call;
//   layout    (merge-layout.ts): each part's bases (before planning: they
//             follow part order alone) and the function and type index
//             spaces (after reach: they hold only what is kept);
//   emit      (merge-emit.ts): the box's sections, bodies rewritten;
//   describe  (here): what the manifest records about the result.

import { CONTROL, type CapabilityDescriptor, type ConfigPlacement } from '@marcotte/abi';
import type { FuncType, Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { callEach, traceWrapper, type Synth } from './glue.ts';
import { emit } from './merge-emit.ts';
import { layoutFunctions, partBases, type Bases, type FunctionLayout } from './merge-layout.ts';
import { reach, type Reach } from './merge-reach.ts';
import { cwdFunctions, workdirStart } from './workdir.ts';
import { resolveImports, type Resolution, type Target } from './resolve.ts';
import { formatFuncType, sameFuncType, WASI_TYPES } from './signature.ts';

export interface CapabilityPart {
  descriptor: CapabilityDescriptor;
  module: Module;
  /** passive segments for the capability's box:config imports */
  config?: Uint8Array[];
}

export interface MergeOptions {
  /** drop every custom section (the linker adds the manifest afterwards) */
  strip?: boolean;
  /** host functions the box may not import (--deny, --sealed): calls answer ENOSYS */
  denied?: (name: string) => boolean;
  /** record every WASI call of the program in a ring the runtime prints (box.trace.memory, box.trace.next) */
  trace?: boolean;
  /** the program passed WebAssembly.validate: its bodies are copied, only changed immediates re-encoded */
  programValidated?: boolean;
}

export interface PartSize {
  functions: number;
  code: number;
  data: number;
}

export interface MergeResult {
  module: Module;
  /** the WASI functions the box imports from its host: its authority */
  hostImports: string[];
  /** which part ("app" or a capability) still calls each host import */
  hostImportsBy: Record<string, string[]>;
  /** which capability serves each WASI function the program imports ("host": passed through) */
  served: Record<string, string>;
  /** what each part contributes after dead-code removal */
  sizes: Record<string, PartSize>;
  /** where each capability's box:config segments and their size glue ended up */
  configs: Record<string, ConfigPlacement>;
  /** with trace: the traced functions, by record id */
  traced?: string[];
  /** with a capability answering workdir: why the program cannot start in that directory (undefined: the _start wrapper calls its chdir) */
  noWorkdir?: string;
}

/** A part: the program (index 0) or a capability. */
export interface Part {
  name: string;
  module: Module;
  imports: Target[];
  /** node id of the part's first defined function */
  firstNode: number;
}

function exportedFunc(m: Module, name: string): number | undefined {
  return m.exports.find((e) => e.kind === 'func' && e.name === name)?.index;
}

export function typeOfFunc(m: Module, index: number): FuncType {
  let typeIndex: number | undefined;
  let seen = 0;
  for (const imp of m.imports) {
    if (imp.desc.kind !== 'func') continue;
    if (seen++ === index) typeIndex = imp.desc.type;
  }
  if (typeIndex === undefined) typeIndex = m.functions[index - seen];
  const t = typeIndex === undefined ? undefined : m.types[typeIndex];
  if (!t) throw new LinkError(`function ${index} has no type`);
  return t;
}

export function merge(app: Module, caps: readonly CapabilityPart[], options: MergeOptions = {}): MergeResult {
  checkProgram(app);
  caps.forEach((c) => { checkMemories(`capability ${c.descriptor.name}`, c.module); });
  // Everything but functions is laid out by part order alone, before planning, which places glue by it.
  const bases = partBases([app, ...caps.map((c) => c.module)]);
  const plan = planMerge(app, caps, bases, options);
  const reached = reach(plan);
  const layout = layoutFunctions(plan, reached);
  const { module, sizes } = emit(app, plan, bases, layout, options);
  return describe(plan, layout, reached, module, sizes);
}

/**
 * The function graph a merge works on. Nodes: each part's defined functions,
 * in part order, then the synthesized functions (glue); a host import is its
 * name. Calls are edges, found through each part's resolved imports.
 */
export interface Graph {
  parts: Part[];
  /** the glue; planning appends to it */
  synths: Synth[];
  /** how many nodes the parts' own functions take (the first glue node) */
  nodes: number;
  /** The node (or host import name) function `i` of part `p` stands for. */
  funcNode(p: Part, i: number): number | string;
  synthNode(id: number): number;
  /** appends a synthesized function; returns its node */
  addSynth(s: Synth): number;
}

/** Everything the box will be made of, before reachability drops what nothing calls. */
export interface Plan {
  graph: Graph;
  /** the host functions the parts import, in first-use order */
  hostImports: Array<{ name: string; type: FuncType }>;
  /** which capability serves each WASI function the program imports ("host": passed through) */
  served: Record<string, string>;
  /** every capability's box:config segments, in capability order, placed after all parts' own data */
  configSegments: Uint8Array[];
  /** where each capability's box:config segments start among the box's data segments, and how many */
  configFirst: Map<string, { first: number; count: number }>;
  /** with trace: the traced functions, by record id */
  traced?: string[];
  /** the start function (one part's, or the chain of them), if any part has one */
  startNode?: number | string;
  /** the program's entry point (_start or _initialize), exported as the wrapper */
  entryName: string;
  wrapperNode: number;
  /** per capability, its control functions (box.<capability>.<name>) as nodes */
  controls: Array<Array<[string, number]>>;
  /** why the entry wrapper does not start the program in the vfs's working directory, when it does not */
  noWorkdir?: string;
}

/**
 * Planning: which parts, which capability serves each import, what the box
 * imports from its host, and the glue around them (trace wrappers, the start
 * chain, the entry wrapper, control functions). Its own step because it is
 * everything that follows from the descriptors and the modules' imports and
 * exports, and nothing yet depends on what is reached.
 */
function planMerge(app: Module, caps: readonly CapabilityPart[], bases: readonly Bases[], options: MergeOptions): Plan {
  const { graph, resolution, configSegments, configFirst } = resolveParts(app, caps, bases, options);
  const { parts, funcNode, addSynth } = graph;
  const traced = options.trace ? traceImports(app, graph, bases) : undefined;

  // Start functions run at instantiation, before any WASI host is ready:
  // capabilities first (their runtimes set up heap pointers), then the program's.
  const starts = [...parts.slice(1), parts[0]!].flatMap((p) => (p.module.start === undefined ? [] : [funcNode(p, p.module.start)]));
  const startNode = starts.length === 0 ? undefined : starts.length === 1 ? starts[0]! : addSynth(callEach(starts as number[], 'box:start'));

  const { entryName, wrapperNode, noWorkdir } = planEntry(app, caps, graph, bases);

  // Control functions the runtime calls (box.<capability>.<name>).
  const controls = caps.map((cap, i) => (cap.descriptor.control ?? []).map((name): [string, number] => {
    const f = exportedFunc(cap.module, name);
    if (f === undefined) throw new LinkError(`capability ${cap.descriptor.name} declares control function ${name} but does not export it`);
    return [name, funcNode(parts[i + 1]!, f) as number];
  }));
  return {
    graph, hostImports: resolution.hostImports, served: resolution.served, configSegments, configFirst,
    traced, startNode, entryName, wrapperNode, controls, noWorkdir,
  };
}

/** The parts and their function graph, every import resolved (resolve.ts), box:config segments placed after all parts' data. */
function resolveParts(app: Module, caps: readonly CapabilityPart[], bases: readonly Bases[], options: MergeOptions): {
  graph: Graph; resolution: Resolution; configSegments: Uint8Array[]; configFirst: Map<string, { first: number; count: number }>;
} {
  const names = ['app', ...caps.map((c) => c.descriptor.name)];
  const modules = [app, ...caps.map((c) => c.module)];

  const providers = providersOf(caps, names);

  // Config segments follow every part's own data segments, in capability order.
  const configSegments: Uint8Array[] = [];
  const configFirst = new Map<string, { first: number; count: number }>();
  const dataTotal = bases[modules.length]!.data;
  const synths: Synth[] = [];
  const resolution = resolveImports({
    names, modules, providers, synths, denied: options.denied,
    configSegment: (part) => {
      const segments = caps[part - 1]!.config ?? [];
      const first = dataTotal + configSegments.length;
      configSegments.push(...segments);
      configFirst.set(names[part]!, { first, count: segments.length });
      return { first, sizes: segments.map((s) => s.length) };
    },
  });

  // Node ids: each part's defined functions, then synthesized functions.
  let nodes = 0;
  const parts: Part[] = modules.map((module, p) => {
    const part = { name: names[p]!, module, imports: resolution.targets[p]!, firstNode: nodes };
    nodes += module.functions.length;
    return part;
  });
  const synthNode = (id: number) => nodes + id;
  const addSynth = (s: Synth) => synthNode(synths.push(s) - 1);

  const funcNode = (p: Part, i: number): number | string => (i < p.imports.length ? nodeOf(p.imports[i]!) : p.firstNode + i - p.imports.length);
  const nodeOf = (t: Target): number | string => {
    if (t.kind === 'host') return t.name;
    if (t.kind === 'synth') return synthNode(t.id);
    return funcNode(parts[t.part]!, t.index);
  };
  const graph: Graph = { parts, synths, nodes, funcNode, synthNode, addSynth };
  return { graph, resolution, configSegments, configFirst };
}

/** --trace: the program's WASI imports go through wrappers that record each call. Returns the traced names, by record id. */
function traceImports(app: Module, graph: Graph, bases: readonly Bases[]): string[] {
  const { parts, synths, funcNode } = graph;
  // The trace ring's memory and cursor come after every part's (the box's own entities).
  const { memory: traceMemory, global: traceGlobal } = bases[parts.length]!;
  const traced: string[] = [];
  const appImports = app.imports.filter((i) => i.desc.kind === 'func');
  parts[0]!.imports = parts[0]!.imports.map((_, i): Target => {
    const target = funcNode(parts[0]!, i);
    const id = traced.push(appImports[i]!.name) - 1;
    return { kind: 'synth', id: synths.push(traceWrapper(appImports[i]!.name, id, typeOfFunc(app, i), target, traceMemory, traceGlobal)) - 1 };
  });
  return traced;
}

/**
 * The box's entry point: a wrapper calling each capability's init, then the
 * working-directory glue when the program can use it, then the program's
 * own _start or _initialize. Returns why the program cannot start in the
 * working directory, when it cannot.
 */
function planEntry(app: Module, caps: readonly CapabilityPart[], graph: Graph, bases: readonly Bases[]): { entryName: string; wrapperNode: number; noWorkdir?: string } {
  const { parts, funcNode, addSynth } = graph;
  // The program's entry point, wrapped: each capability's init, in link order, then the program.
  const entryName = app.exports.some((e) => e.name === '_start') ? '_start' : '_initialize';
  const inits = caps.flatMap((cap, i) => {
    if (!cap.descriptor.init) return [];
    const f = exportedFunc(cap.module, cap.descriptor.init);
    if (f === undefined) throw new LinkError(`capability ${cap.descriptor.name} does not export its init function ${cap.descriptor.init}`);
    return [funcNode(parts[i + 1]!, f)];
  });
  const entry = exportedFunc(app, entryName)!;
  // The program starts in the directory the first capability answering workdir gives, when it can (workdir.ts).
  const dirPart = caps.findIndex((c) => exportedFunc(c.module, CONTROL.workdir) !== undefined);
  const dirFunc = dirPart < 0 ? undefined : exportedFunc(caps[dirPart]!.module, CONTROL.workdir);
  const cwd = dirFunc === undefined ? undefined : cwdFunctions(app);
  const workdirNode = cwd === undefined || typeof cwd === 'string' ? [] : [addSynth(workdirStart(
    { chdir: funcNode(parts[0]!, cwd.chdir) as number, malloc: funcNode(parts[0]!, cwd.malloc) as number, ...(cwd.free !== undefined ? { free: funcNode(parts[0]!, cwd.free) as number } : {}),
      ...(cwd.populate !== undefined ? { populate: funcNode(parts[0]!, cwd.populate) as number } : {}) },
    funcNode(parts[dirPart + 1]!, dirFunc!) as number,
    () => bases[dirPart + 1]!.memory,
  ))];
  const wrapperNode = addSynth(callEach([...inits, ...workdirNode, funcNode(parts[0]!, entry)] as number[]));
  return { entryName, wrapperNode, noWorkdir: typeof cwd === 'string' ? cwd : undefined };
}

/**
 * The results the manifest records (link.ts), read off the plan and the
 * emitted box: its authority and who uses it, what serves each WASI import,
 * each part's size, and where each capability's box:config ended up.
 */
function describe(plan: Plan, layout: FunctionLayout, { hostUsers }: Reach, module: Module, sizes: Record<string, PartSize>): MergeResult {
  const hostImportsBy: Record<string, string[]> = {};
  for (const h of module.imports) hostImportsBy[h.name] = [...hostUsers.get(h.name)!].sort();
  // Where each capability's box:config data and size function ended up: `box run --commit` swaps the vfs image in place.
  const configs: Record<string, ConfigPlacement> = {};
  plan.graph.synths.forEach((s, i) => {
    const cap = s.configSizeOf;
    const at = layout.index.get(plan.graph.synthNode(i));
    const placed = cap !== undefined ? plan.configFirst.get(cap) : undefined;
    if (cap !== undefined && at !== undefined && placed) configs[cap] = { ...placed, sizeFunction: at };
  });
  return {
    module, hostImports: module.imports.map((i) => i.name), hostImportsBy, served: plan.served, sizes, configs,
    traced: plan.traced, noWorkdir: plan.noWorkdir,
  };
}

/** Which capability serves each preview1 function (part index, function), checked against its exports and the ABI's types. */
function providersOf(caps: readonly CapabilityPart[], names: readonly string[]): Map<string, { part: number; func: number }> {
  const providers = new Map<string, { part: number; func: number }>();
  caps.forEach((cap, i) => {
    for (const name of cap.descriptor.provides) {
      const func = exportedFunc(cap.module, name);
      if (func === undefined) throw new LinkError(`capability ${cap.descriptor.name} declares ${name} but does not export it`);
      const expected = WASI_TYPES.get(name);
      const actual = typeOfFunc(cap.module, func);
      if (!expected || !sameFuncType(expected, actual)) {
        throw new LinkError(`capability ${cap.descriptor.name} exports ${name} with type ${formatFuncType(actual)}, expected ${expected ? formatFuncType(expected) : 'no such preview1 function'}`);
      }
      const other = providers.get(name);
      if (other) throw new LinkError(`${name} is provided by both ${names[other.part]} and ${cap.descriptor.name}`);
      providers.set(name, { part: i + 1, func });
    }
  });
  return providers;
}

function checkMemories(who: string, m: Module): void {
  for (const mem of m.memories) {
    if (mem.is64) throw new LinkError(`${who} uses a 64-bit memory (memory64), which boxes do not support`);
    if (mem.shared) throw new LinkError(`${who} uses a shared memory (threads), which boxes do not support`);
  }
}

function checkProgram(app: Module): void {
  if (app.imports.some((i) => i.desc.kind === 'memory')) {
    throw new LinkError('the program imports its memory; link it with its own memory (no --import-memory)');
  }
  checkMemories('the program', app);
  if (app.memories.length !== 1) throw new LinkError(`the program must define exactly one memory, it has ${app.memories.length}`);
  const memory = app.exports.find((e) => e.name === 'memory');
  if (memory?.kind !== 'memory' || memory.index !== 0) {
    throw new LinkError('the program must export its memory as "memory" (WASI hosts read it by that name)');
  }
  const start = app.exports.some((e) => e.name === '_start' && e.kind === 'func');
  const init = app.exports.some((e) => e.name === '_initialize' && e.kind === 'func');
  if (start && init) throw new LinkError('the program exports both _start and _initialize; a WASI module is a command or a reactor, not both');
  if (!start && !init) throw new LinkError('the program exports neither _start (a command) nor _initialize (a reactor)');
  // The box's own _start calls it and returns nothing: another type would link into a box that does not compile.
  const entry = app.exports.find((e) => e.name === (start ? '_start' : '_initialize') && e.kind === 'func')!;
  const type = typeOfFunc(app, entry.index);
  if (type.params.length || type.results.length) {
    throw new LinkError(`the program's ${entry.name} has type ${formatFuncType(type)}, expected () -> () (WASI calls it with nothing and expects nothing back)`);
  }
}
