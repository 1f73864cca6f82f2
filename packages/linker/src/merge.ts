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

import { CONTROL, type CapabilityDescriptor } from '@marcotte/abi';
import { ByteWriter } from './binary/leb.ts';
import { rewriteExpr } from './binary/code.ts';
import { WasmFormatError } from './binary/errors.ts';
import { emptyModule, identityMap, type Code, type Custom, type FuncType, type IndexMap, type Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { callEach, traceWrapper, TRACE_RECORD, TRACE_RECORDS, type Synth } from './glue.ts';
import { emptyNames, readNames, writeNames } from './names.ts';
import { cwdFunctions, workdirStart } from './workdir.ts';
import { NodeIndex, NodeSet } from './node-map.ts';
import { resolveImports, type Target } from './resolve.ts';
import { formatFuncType, funcTypeKey, sameFuncType, WASI_TYPES } from './signature.ts';

export const WASI_MODULE = 'wasi_snapshot_preview1';


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

/** A capability's box:config segments in the box: data segments first .. first+count-1, and its size glue. */
export interface ConfigPlacement {
  first: number;
  count: number;
  sizeFunction: number;
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
  configs: Record<string, ConfigPlacement>;
  /** with trace: the traced functions, by record id */
  traced?: string[];
  /** with a capability answering workdir: why the program cannot start in that directory (undefined: the _start wrapper calls its chdir) */
  noWorkdir?: string;
}

/** A part: the program (index 0) or a capability. */
interface Part {
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
  const names = ['app', ...caps.map((c) => c.descriptor.name)];
  const modules = [app, ...caps.map((c) => c.module)];

  const providers = providersOf(caps, names);

  // Config segments follow every part's own data segments, in capability order.
  const configSegments: Uint8Array[] = [];
  const configFirst = new Map<string, { first: number; count: number }>();
  const dataTotal = modules.reduce((n, m) => n + m.data.length, 0);
  const synths: Synth[] = [];
  const resolution = resolveImports({
    names, modules, providers, synths, ...(options.denied ? { denied: options.denied } : {}),
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

  /** The node (or host import name) function `i` of part `p` stands for. */
  const funcNode = (p: Part, i: number): number | string => (i < p.imports.length ? nodeOf(p.imports[i]!) : p.firstNode + i - p.imports.length);
  const nodeOf = (t: Target): number | string => {
    if (t.kind === 'host') return t.name;
    if (t.kind === 'synth') return synthNode(t.id);
    return funcNode(parts[t.part]!, t.index);
  };

  // --trace: the program's WASI imports go through wrappers that record each call.
  const traceMemory = modules.reduce((n, m) => n + m.memories.length, 0);
  const traceGlobal = modules.reduce((n, m) => n + m.globals.length, 0);
  const traced: string[] = [];
  if (options.trace) {
    const appImports = app.imports.filter((i) => i.desc.kind === 'func');
    parts[0]!.imports = parts[0]!.imports.map((t, i): Target => {
      const target = nodeOf(t);
      const id = traced.push(appImports[i]!.name) - 1;
      return { kind: 'synth', id: synths.push(traceWrapper(appImports[i]!.name, id, typeOfFunc(app, i), target, traceMemory, traceGlobal)) - 1 };
    });
  }

  // Start functions run at instantiation, before any WASI host is ready:
  // capabilities first (their runtimes set up heap pointers), then the program's.
  const starts = [...parts.slice(1), parts[0]!].flatMap((p) => (p.module.start === undefined ? [] : [funcNode(p, p.module.start)]));
  const startNode = starts.length === 0 ? undefined : starts.length === 1 ? starts[0]! : addSynth(callEach(starts as number[], 'box:start'));

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

  // Control functions the runtime calls (box.<capability>.<name>).
  const controls = caps.map((cap, i) => (cap.descriptor.control ?? []).map((name): [string, number] => {
    const f = exportedFunc(cap.module, name);
    if (f === undefined) throw new LinkError(`capability ${cap.descriptor.name} declares control function ${name} but does not export it`);
    return [name, funcNode(parts[i + 1]!, f) as number];
  }));

  // Reachability: the program is kept whole; capability code only as far as it is called.
  const roots: Array<[number | string, string]> = [];
  for (let i = 0; i < parts[0]!.imports.length + app.functions.length; i++) roots.push([funcNode(parts[0]!, i), 'app']);
  if (startNode !== undefined) roots.push([startNode, 'box']);
  roots.push([wrapperNode, 'box']);
  for (const list of controls) for (const [, node] of list) roots.push([node, 'box']);
  const { reached, hostUsers } = reachable(parts, synths, nodes, funcNode, roots);

  // Final layout.
  const out = emptyModule();
  const typeIndex = new Map<string, number>();
  const internType = (t: FuncType): number => {
    const key = funcTypeKey(t);
    let i = typeIndex.get(key);
    if (i === undefined) {
      i = out.types.length;
      typeIndex.set(key, i);
      out.types.push(t);
    }
    return i;
  };
  const finalIndex = new NodeIndex(nodes + synths.length);
  for (const h of resolution.hostImports) {
    if (!reached.has(h.name)) continue;
    finalIndex.set(h.name, out.imports.length);
    out.imports.push({ module: WASI_MODULE, name: h.name, desc: { kind: 'func', type: internType(h.type) } });
  }
  let nextFunc = out.imports.length;
  for (let n = 0; n < nodes + synths.length; n++) if (reached.has(n)) finalIndex.set(n, nextFunc++);

  const w = new ByteWriter(1 << 16);
  const sizes: Record<string, PartSize> = {};
  const bases = partBases(parts);

  parts.forEach((p, pi) => {
    const m = p.module;
    const base = bases[pi]!;
    const types = m.types.map(internType);
    // Resolved once per part: the rewriter asks for every call in the code.
    const funcs = new Int32Array(p.imports.length + m.functions.length);
    for (let i = 0; i < funcs.length; i++) funcs[i] = finalIndex.get(funcNode(p, i)) ?? -1;
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
    const validated = pi === 0 && options.programValidated === true;
    // Bodies are rewritten by the writer as it writes them (Code.map): one
    // streaming pass over the code, and no copy of it held in between.
    m.codes.forEach((code, j) => {
      if (!reached.has(p.firstNode + j)) return;
      out.functions.push(types[m.functions[j]!]!);
      const c: Code = { locals: code.locals, body: code.body, map };
      if (code.offset !== undefined) c.offset = code.offset;
      if (validated) c.validated = true;
      out.codes.push(c);
      size.functions++;
      size.code += code.body.length;
    });
    for (const t of m.tables) out.tables.push(t.init ? { type: t.type, init: expr(t.init) } : { type: t.type });
    out.memories.push(...m.memories);
    for (const t of m.tags) out.tags.push({ attribute: t.attribute, type: types[t.type]! });
    for (const g of m.globals) out.globals.push({ type: g.type, init: expr(g.init) });
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
      out.elements.push({
        mode,
        type: e.type,
        ...(e.funcs ? { funcs: e.funcs.map(map.func) } : {}),
        ...(e.exprs ? { exprs: e.exprs.map((x) => expr(x)) } : {}),
      });
    }
    sizes[p.name] = size;
  });
  for (const segment of configSegments) out.data.push({ mode: { kind: 'passive' }, bytes: segment });
  if (options.trace) {
    out.memories.push({ min: BigInt((TRACE_RECORD * TRACE_RECORDS) / 65536) });
    out.globals.push({ type: { type: 0x7f, mutable: true }, init: new Uint8Array([0x41, 0x00, 0x0b]) });
  }
  // memory.init in the box:config glue needs the datacount section; it costs three bytes.
  out.dataCount = out.data.length;

  const glue: PartSize = { functions: 0, code: 0, data: 0 };
  const glueNames = new Map<number, string>();
  synths.forEach((s, i) => {
    if (!reached.has(synthNode(i))) return;
    glueNames.set(finalIndex.get(synthNode(i))!, s.name);
    out.functions.push(internType(s.type));
    const calls = s.calls?.map((c) => finalIndex.get(c)!) ?? [];
    const code = s.build(calls);
    out.codes.push(code);
    glue.functions++;
    glue.code += code.body.length;
  });
  sizes.box = glue;
  if (startNode !== undefined) out.start = finalIndex.get(startNode)!;

  const wrapper = finalIndex.get(wrapperNode)!;
  for (const e of app.exports) {
    if (e.name === entryName) out.exports.push({ name: e.name, kind: 'func', index: wrapper });
    else if (e.kind === 'func') out.exports.push({ name: e.name, kind: 'func', index: finalIndex.get(funcNode(parts[0]!, e.index))! });
    else out.exports.push({ name: e.name, kind: e.kind, index: (bases[0]! as Record<string, number>)[e.kind]! + e.index });
  }
  parts.slice(1).forEach((p, i) => {
    // The runtime's control surface: capability memories and declared control functions (snapshots, commits).
    p.module.memories.forEach((_, j) => { out.exports.push({ name: `box.${p.name}.memory${j ? j : ''}`, kind: 'memory', index: bases[i + 1]!.memory + j }); });
    for (const [name, node] of controls[i]!) out.exports.push({ name: `box.${p.name}.${name}`, kind: 'func', index: finalIndex.get(node)! });
  });

  if (options.trace) {
    out.exports.push({ name: 'box.trace.memory', kind: 'memory', index: traceMemory }, { name: 'box.trace.next', kind: 'global', index: traceGlobal });
  }
  if (!options.strip) out.customs.push(...customs(app, parts, funcNode, finalIndex, glueNames));

  const hostImportsBy: Record<string, string[]> = {};
  for (const h of out.imports) hostImportsBy[h.name] = [...hostUsers.get(h.name)!].sort();
  // Where each capability's box:config data and size function ended up: `box run --commit` swaps the vfs image in place.
  const configs: Record<string, ConfigPlacement> = {};
  synths.forEach((s, i) => {
    const cap = s.configSizeOf;
    const at = finalIndex.get(synthNode(i));
    const placed = cap !== undefined ? configFirst.get(cap) : undefined;
    if (cap !== undefined && at !== undefined && placed) configs[cap] = { ...placed, sizeFunction: at };
  });
  return {
    module: out, hostImports: out.imports.map((i) => i.name), hostImportsBy, served: resolution.served, sizes, configs,
    ...(options.trace ? { traced } : {}), ...(typeof cwd === 'string' ? { noWorkdir: cwd } : {}),
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

/**
 * The nodes (and host imports) reached from `roots`, each root with the part
 * it counts for, and which parts use each host import. The program (part 0)
 * is a root whole; a capability's code is followed through its calls, and
 * whatever its tables and globals name is kept (call_indirect is not followed).
 */
function reachable(parts: readonly Part[], synths: readonly Synth[], nodes: number, funcNode: (p: Part, i: number) => number | string,
  roots: ReadonlyArray<[number | string, string]>): { reached: NodeSet; hostUsers: Map<string, Set<string>> } {
  const reached = new NodeSet(nodes + synths.length);
  const hostUsers = new Map<string, Set<string>>();
  const work: Array<number> = [];
  const partOfNode = (n: number) => parts.findLast((p) => p.firstNode <= n)!;
  const reach = (n: number | string, by: string) => {
    if (typeof n === 'string') {
      if (!hostUsers.has(n)) hostUsers.set(n, new Set());
      hostUsers.get(n)!.add(by);
    }
    if (reached.has(n)) return;
    reached.add(n);
    if (typeof n === 'number') work.push(n);
  };
  for (const [n, by] of roots) reach(n, by);
  parts.slice(1).forEach((p) => {
    for (const e of p.module.elements) for (const f of elementFuncs(e)) reach(funcNode(p, f), p.name);
    for (const g of p.module.globals) for (const f of refFuncs(g.init)) reach(funcNode(p, f), p.name);
  });
  const appPart = parts[0]!;
  while (work.length) {
    const n = work.pop()!;
    if (n >= nodes) {
      const synth = synths[n - nodes]!;
      for (const callee of synth.calls ?? []) reach(callee, synth.owner ?? 'box');
      continue;
    }
    const p = partOfNode(n);
    if (p === appPart) continue; // kept whole; its imports were reached as roots
    const body = p.module.codes[n - p.firstNode]!;
    for (const f of refFuncs(body.body, body.offset)) reach(funcNode(p, f), p.name);
  }
  return { reached, hostUsers };
}

/** Where each part's memories, tables, globals, tags, data and element segments start in the merged module. */
function partBases(parts: readonly Part[]) {
  let memories = 0, tables = 0, globals = 0, tags = 0, data = 0, elems = 0;
  return parts.map((p) => {
    const b = { memory: memories, table: tables, global: globals, tag: tags, data, elem: elems };
    memories += p.module.memories.length;
    tables += p.module.tables.length;
    globals += p.module.globals.length;
    tags += p.module.tags.length;
    data += p.module.data.length;
    elems += p.module.elements.length;
    return b;
  });
}

/** Function indices an expression names (call, return_call, ref.func). */
function refFuncs(expr: Uint8Array, offset = 0): number[] {
  const found: number[] = [];
  const recording: IndexMap = {
    ...identityMap,
    func: (i) => {
      found.push(i);
      return i;
    },
  };
  scratch.reset();
  rewriteExpr(expr, recording, scratch, offset);
  return found;
}
const scratch = new ByteWriter(1 << 12);

function elementFuncs(e: Module['elements'][number]): number[] {
  return e.funcs ?? (e.exprs ?? []).flatMap((x) => refFuncs(x));
}

/** The program's custom sections, with the name section merged; capabilities' are dropped. */
function customs(
  app: Module, parts: Part[], funcNode: (p: Part, i: number) => number | string,
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
  for (const [node, at] of finalIndex) {
    if (typeof node === 'string') names.functions.set(at, `wasi:${node}`);
  }
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
