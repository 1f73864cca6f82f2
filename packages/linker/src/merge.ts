// Merging the program and its capability modules into one module (the box).
//
// Index spaces of the result, in order:
//   functions: host imports (deduplicated), each part's own functions
//              (app first, then capabilities in link order), synthesized glue;
//   memories:  the app's memory 0, then one per capability;
//   tables, globals, tags, data, elements: each part's, in part order.
// The program's WASI imports resolve to capability exports; capabilities'
// own WASI imports stay host imports. The two are resolved separately, so a
// capability's import of fd_write can never bind to the kernel's export of
// the same name (DESIGN.md §6).

import { BOX_APP, BOX_APP_MODULE, FUNCTIONS, type CapabilityDescriptor } from '@marcotte/abi';
import { ByteWriter } from './binary/leb.ts';
import { rewriteExpr } from './binary/code.ts';
import { emptyModule, type FuncType, type IndexMap, type Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { boxApp, boxConfig, callEach, type Synth } from './glue.ts';
import { formatFuncType, funcType, funcTypeKey, sameFuncType } from './signature.ts';

export const WASI_MODULE = 'wasi_snapshot_preview1';
const CONFIG_MODULE = 'box:config';

const WASI_TYPES = new Map(FUNCTIONS.map((f) => [f.name, funcType(f.params.map((p) => p.wasm), f.results)]));
const BOX_APP_TYPES = new Map(BOX_APP.map((f) => [f.name, funcType(f.params.map((p) => p.wasm), f.results)]));

export interface CapabilityPart {
  descriptor: CapabilityDescriptor;
  module: Module;
  /** bytes for the capability's box:config imports */
  config?: Uint8Array;
}

export interface MergeResult {
  module: Module;
  /** the WASI functions the box imports from its host: its authority */
  hostImports: string[];
  /** which capability serves each WASI function the program imports */
  served: Record<string, string>;
}

type Target =
  | { kind: 'host'; name: string; type: FuncType }
  | { kind: 'export'; part: number; func: number }
  | { kind: 'synth'; index: number };

interface Part {
  name: string;
  module: Module;
  /** resolution of each function import, by import position among function imports */
  imports: Target[];
  funcBase: number;
  memBase: number;
  tableBase: number;
  globalBase: number;
  tagBase: number;
  dataBase: number;
  elemBase: number;
  types: number[];
}

function funcImports(m: Module) {
  return m.imports.filter((i) => i.desc.kind === 'func');
}

function exportedFunc(m: Module, name: string): number | undefined {
  return m.exports.find((e) => e.kind === 'func' && e.name === name)?.index;
}

/** The type of function `index` in `m`'s function index space. */
function typeOfFunc(m: Module, index: number): FuncType {
  const imports = funcImports(m);
  const typeIndex = index < imports.length
    ? (imports[index]!.desc as { type: number }).type
    : m.functions[index - imports.length];
  const t = typeIndex === undefined ? undefined : m.types[typeIndex];
  if (!t) throw new LinkError(`function ${index} has no type`);
  return t;
}

function checkWasiType(who: string, name: string, actual: FuncType): void {
  const expected = WASI_TYPES.get(name);
  if (!expected) throw new LinkError(`${who} imports ${WASI_MODULE}.${name}, which is not a preview1 function`);
  if (!sameFuncType(expected, actual)) {
    throw new LinkError(
      `${who} imports ${WASI_MODULE}.${name} with type ${formatFuncType(actual)}, expected ${formatFuncType(expected)}`,
    );
  }
}

export function merge(app: Module, caps: readonly CapabilityPart[]): MergeResult {
  checkApp(app);
  const names = ['app', ...caps.map((c) => c.descriptor.name)];
  const modules = [app, ...caps.map((c) => c.module)];

  // Which capability serves each preview1 function, checked against its exports.
  const providers = new Map<string, { part: number; func: number }>();
  caps.forEach((cap, i) => {
    const part = i + 1;
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
      providers.set(name, { part, func });
    }
  });

  const hostImports: { name: string; type: FuncType }[] = [];
  const hostIndex = new Map<string, number>();
  const host = (name: string, type: FuncType): Target => {
    if (!hostIndex.has(name)) {
      hostIndex.set(name, hostImports.length);
      hostImports.push({ name, type });
    }
    return { kind: 'host', name, type };
  };

  const synths: Synth[] = [];
  const served: Record<string, string> = {};
  // Memory index of capability i is 1 + i: the app has exactly one memory (checked).
  const capMemory = (part: number) => part;
  // Config segments follow every part's own data segments.
  const dataTotal = modules.reduce((n, m) => n + m.data.length, 0);
  let configSegments = 0;

  const parts: Part[] = modules.map((module, p) => {
    const who = p === 0 ? 'the program' : `capability ${names[p]}`;
    for (const imp of module.imports) {
      if (imp.desc.kind !== 'func') {
        throw new LinkError(`${who} imports ${imp.module}.${imp.name} (a ${imp.desc.kind}); only functions can be imported into a box`);
      }
    }
    const synthFor = new Map<string, number>();
    const imports = funcImports(module).map((imp): Target => {
      const type = module.types[(imp.desc as { type: number }).type]!;
      if (imp.module === WASI_MODULE) {
        checkWasiType(who, imp.name, type);
        if (p === 0) {
          const provider = providers.get(imp.name);
          served[imp.name] = provider ? names[provider.part]! : 'host';
          if (provider) return { kind: 'export', part: provider.part, func: provider.func };
        }
        return host(imp.name, type);
      }
      if (p > 0 && imp.module === BOX_APP_MODULE) {
        const expected = BOX_APP_TYPES.get(imp.name);
        const synth = boxApp(imp.name, capMemory(p));
        if (!expected || !synth) throw new LinkError(`${who} imports ${imp.module}.${imp.name}, which box:app does not have`);
        if (!sameFuncType(expected, type)) {
          throw new LinkError(`${who} imports ${imp.module}.${imp.name} with type ${formatFuncType(type)}, expected ${formatFuncType(expected)}`);
        }
        return { kind: 'synth', index: addSynth(synthFor, `app.${imp.name}`, () => synth) };
      }
      if (p > 0 && imp.module === CONFIG_MODULE) {
        const config = caps[p - 1]!.config ?? new Uint8Array(0);
        const key = `config.${imp.name}`;
        if (!synthFor.has('config.segment')) synthFor.set('config.segment', dataTotal + configSegments++);
        const synth = boxConfig(imp.name, capMemory(p), synthFor.get('config.segment')!, config.length);
        if (!synth || !sameFuncType(synth.type, type)) {
          throw new LinkError(`${who} imports ${imp.module}.${imp.name} ${formatFuncType(type)}, which box:config does not have`);
        }
        return { kind: 'synth', index: addSynth(synthFor, key, () => synth) };
      }
      if (p > 0 && imp.module.startsWith('box:')) {
        const target = names.indexOf(imp.module.slice(4));
        const func = target > 0 ? exportedFunc(modules[target]!, imp.name) : undefined;
        if (func === undefined) throw new LinkError(`${who} imports ${imp.module}.${imp.name}, but no linked capability exports it`);
        const actual = typeOfFunc(modules[target]!, func);
        if (!sameFuncType(actual, type)) {
          throw new LinkError(`${who} imports ${imp.module}.${imp.name} with type ${formatFuncType(type)}, expected ${formatFuncType(actual)}`);
        }
        return { kind: 'export', part: target, func };
      }
      throw new LinkError(`${who} imports ${imp.module}.${imp.name}: a box can only import ${WASI_MODULE} functions`);
    });
    return {
      name: names[p]!, module, imports, funcBase: 0, memBase: 0, tableBase: 0, globalBase: 0, tagBase: 0,
      dataBase: 0, elemBase: 0, types: [],
    };
  });

  function addSynth(seen: Map<string, number>, key: string, make: () => Synth): number {
    const known = seen.get(key);
    if (known !== undefined) return known;
    seen.set(key, synths.length);
    synths.push(make());
    return synths.length - 1;
  }

  // Lay out every index space.
  const out = emptyModule();
  let funcs = hostImports.length;
  let mems = 0, tables = 0, globals = 0, tags = 0, data = 0, elems = 0;
  for (const part of parts) {
    const m = part.module;
    part.funcBase = funcs - funcImports(m).length;
    funcs += m.functions.length;
    part.memBase = mems; mems += m.memories.length;
    part.tableBase = tables; tables += m.tables.length;
    part.globalBase = globals; globals += m.globals.length;
    part.tagBase = tags; tags += m.tags.length;
    part.dataBase = data; data += m.data.length;
    part.elemBase = elems; elems += m.elements.length;
  }
  const synthBase = funcs;

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
  for (const imp of hostImports) {
    out.imports.push({ module: WASI_MODULE, name: imp.name, desc: { kind: 'func', type: internType(imp.type) } });
  }
  for (const part of parts) part.types = part.module.types.map(internType);

  const resolve = (t: Target): number => {
    switch (t.kind) {
      case 'host': return hostIndex.get(t.name)!;
      case 'export': return parts[t.part]!.funcBase + t.func;
      case 'synth': return synthBase + t.index;
    }
  };

  const w = new ByteWriter(1 << 16);
  for (const part of parts) {
    const m = part.module;
    const importTargets = part.imports.map(resolve);
    const nImports = importTargets.length;
    const map: IndexMap = {
      func: (i) => (i < nImports ? importTargets[i]! : part.funcBase + i),
      table: (i) => part.tableBase + i,
      memory: (i) => part.memBase + i,
      global: (i) => part.globalBase + i,
      type: (i) => part.types[i]!,
      tag: (i) => part.tagBase + i,
      data: (i) => part.dataBase + i,
      elem: (i) => part.elemBase + i,
    };
    const expr = (bytes: Uint8Array): Uint8Array => {
      w.reset();
      rewriteExpr(bytes, map, w);
      return w.finish();
    };
    for (const f of m.functions) out.functions.push(part.types[f]!);
    for (const code of m.codes) out.codes.push({ locals: code.locals, body: expr(code.body) });
    for (const t of m.tables) out.tables.push(t.init ? { type: t.type, init: expr(t.init) } : { type: t.type });
    out.memories.push(...m.memories);
    for (const t of m.tags) out.tags.push({ attribute: t.attribute, type: part.types[t.type]! });
    for (const g of m.globals) out.globals.push({ type: g.type, init: expr(g.init) });
    for (const d of m.data) {
      out.data.push(d.mode.kind === 'active'
        ? { mode: { kind: 'active', memory: map.memory(d.mode.memory), offset: expr(d.mode.offset) }, bytes: d.bytes }
        : d);
    }
    for (const e of m.elements) {
      const mode = e.mode.kind === 'active'
        ? { kind: 'active' as const, table: map.table(e.mode.table), offset: expr(e.mode.offset) }
        : e.mode;
      out.elements.push({
        mode,
        type: e.type,
        ...(e.funcs ? { funcs: e.funcs.map(map.func) } : {}),
        ...(e.exprs ? { exprs: e.exprs.map(expr) } : {}),
      });
    }
  }

  // Config segments, in the order their indices were handed out above.
  caps.forEach((cap) => {
    const usesConfig = funcImports(cap.module).some((i) => i.module === CONFIG_MODULE);
    if (usesConfig) out.data.push({ mode: { kind: 'passive' }, bytes: cap.config ?? new Uint8Array(0) });
  });
  // memory.init needs the datacount section; it costs three bytes.
  out.dataCount = out.data.length;

  // Start functions run at instantiation, before any WASI host is ready: capabilities first
  // (their runtimes set up heap pointers), then the program's.
  const starts = [...parts.slice(1), parts[0]!].flatMap((p) => (p.module.start === undefined ? [] : [resolvePartFunc(p, p.module.start)]));
  function resolvePartFunc(p: Part, i: number): number {
    return i < p.imports.length ? resolve(p.imports[i]!) : p.funcBase + i;
  }
  if (starts.length === 1) out.start = starts[0];
  else if (starts.length > 1) out.start = synthBase + addSynth(new Map(), 'start', () => callEach(starts));

  // The program's entry point, wrapped: each capability's init, in link order, then the program.
  const entryName = app.exports.some((e) => e.name === '_start') ? '_start' : '_initialize';
  const entry = exportedFunc(app, entryName);
  const inits = caps.flatMap((cap, i) => {
    if (!cap.descriptor.init) return [];
    const f = exportedFunc(cap.module, cap.descriptor.init);
    if (f === undefined) throw new LinkError(`capability ${cap.descriptor.name} does not export its init function ${cap.descriptor.init}`);
    return [resolvePartFunc(parts[i + 1]!, f)];
  });
  const wrapper = entry === undefined ? undefined
    : synthBase + addSynth(new Map(), 'entry', () => callEach([...inits, resolvePartFunc(parts[0]!, entry)]));

  for (const s of synths) {
    out.functions.push(internType(s.type));
    out.codes.push(s.code);
  }

  for (const e of app.exports) {
    if (e.name === entryName && wrapper !== undefined) out.exports.push({ name: e.name, kind: 'func', index: wrapper });
    else out.exports.push({ name: e.name, kind: e.kind, index: remapExport(parts[0]!, e.kind, e.index) });
  }
  parts.slice(1).forEach((p) => {
    // The runtime's control surface: it reads capability memories (snapshots, commits).
    p.module.memories.forEach((_, i) => out.exports.push({ name: `box.${p.name}.memory${i ? i : ''}`, kind: 'memory', index: p.memBase + i }));
  });

  function remapExport(p: Part, kind: string, index: number): number {
    switch (kind) {
      case 'func': return resolvePartFunc(p, index);
      case 'memory': return p.memBase + index;
      case 'table': return p.tableBase + index;
      case 'global': return p.globalBase + index;
      default: return p.tagBase + index;
    }
  }

  // Custom sections: the app's producers survive; names and debug info need
  // remapping, which the complete linker does (they are dropped for now).
  for (const c of app.customs) if (c.name === 'producers' || c.name === 'target_features') out.customs.push(c);

  return { module: out, hostImports: hostImports.map((h) => h.name), served };
}

function checkApp(app: Module): void {
  if (app.imports.some((i) => i.desc.kind === 'memory')) {
    throw new LinkError('the program imports its memory; link it with its own memory (no --import-memory)');
  }
  if (app.memories.length !== 1) throw new LinkError(`the program must define exactly one memory, it has ${app.memories.length}`);
  const memory = app.exports.find((e) => e.name === 'memory');
  if (!memory || memory.kind !== 'memory' || memory.index !== 0) {
    throw new LinkError('the program must export its memory as "memory" (WASI hosts read it by that name)');
  }
  const start = app.exports.some((e) => e.name === '_start');
  const init = app.exports.some((e) => e.name === '_initialize');
  if (start && init) throw new LinkError('the program exports both _start and _initialize; a WASI module is a command or a reactor, not both');
  if (!start && !init) throw new LinkError('the program exports neither _start (a command) nor _initialize (a reactor)');
}

