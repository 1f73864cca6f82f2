// Import resolution: what each function import of each part stands for.
//
// The program's wasi_snapshot_preview1 imports go to the capability that
// provides the function, or pass through to the host. A capability's imports
// go to the host (wasi_snapshot_preview1), to glue (box:app, box:config), to
// another capability's export (box:<name>), or, when that capability is not
// linked, to a stub that answers zeros. Every import is type-checked.

import { BOX_APP, WASI_MODULE } from '@marcotte/abi';
import type { FuncType, Module } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { boxApp, boxConfig, denied, notLinked, type Synth } from './glue.ts';
import { formatFuncType, funcType, sameFuncType, WASI_TYPES } from './signature.ts';

const BOX_APP_MODULE = 'box:app';
const CONFIG_MODULE = 'box:config';
const BOX_APP_TYPES = new Map(BOX_APP.map((f) => [f.name, funcType(f.params.map((p) => p.wasm), f.results)]));

export type Target =
  | { kind: 'host'; name: string }
  /** function `index` in part `part`'s function index space */
  | { kind: 'func'; part: number; index: number }
  | { kind: 'synth'; id: number };

export interface ResolveInput {
  /** "app", then capability names in link order */
  names: readonly string[];
  modules: readonly Module[];
  /** preview1 function -> the capability export serving it */
  providers: ReadonlyMap<string, { part: number; func: number }>;
  /** synthesized functions; resolution appends to it */
  synths: Synth[];
  /** registers part's box:config segments; returns the first data index and their sizes */
  configSegment(part: number): { first: number; sizes: number[] };
  /** host functions the box may not import: calls to them answer ENOSYS */
  denied?: (name: string) => boolean;
}

export interface Resolution {
  targets: Target[][];
  /** host imports in first-use order, deduplicated */
  hostImports: Array<{ name: string; type: FuncType }>;
  served: Record<string, string>;
}

function describe(names: readonly string[], part: number): string {
  return part === 0 ? 'the program' : `capability ${names[part]}`;
}

function exportedFunc(m: Module, name: string): number | undefined {
  return m.exports.find((e) => e.kind === 'func' && e.name === name)?.index;
}

function typeOfFunc(m: Module, index: number): FuncType | undefined {
  const imports = m.imports.filter((i) => i.desc.kind === 'func');
  const typeIndex = index < imports.length ? (imports[index]!.desc as { type: number }).type : m.functions[index - imports.length];
  return typeIndex === undefined ? undefined : m.types[typeIndex];
}

export function resolveImports(input: ResolveInput): Resolution {
  const { names, modules, providers, synths } = input;
  const hostImports: Resolution['hostImports'] = [];
  const hostSeen = new Set<string>();
  const served: Record<string, string> = {};

  const targets = modules.map((module, part) => {
    const who = describe(names, part);
    const local = new Map<string, number>();
    const synth = (key: string, make: () => Synth | undefined, what: string): Target => {
      let id = local.get(key);
      if (id === undefined) {
        const s = make();
        if (!s) throw new LinkError(`${who} imports ${what}, which does not exist`);
        id = synths.push(s) - 1;
        local.set(key, id);
      }
      return { kind: 'synth', id };
    };
    let config: { first: number; sizes: number[] } | undefined;

    return module.imports.flatMap((imp): Target[] => {
      if (imp.desc.kind !== 'func') {
        throw new LinkError(`${who} imports ${imp.module}.${imp.name} (a ${imp.desc.kind}); only functions can be imported into a box`);
      }
      const type = module.types[imp.desc.type];
      if (!type) throw new LinkError(`${who} imports ${imp.module}.${imp.name} with an unknown type index ${imp.desc.type}`);
      const what = `${imp.module}.${imp.name}`;
      const expectType = (expected: FuncType | undefined) => {
        if (expected && !sameFuncType(expected, type)) {
          throw new LinkError(`${who} imports ${what} with type ${formatFuncType(type)}, expected ${formatFuncType(expected)}`);
        }
      };

      if (imp.module === WASI_MODULE) {
        const expected = WASI_TYPES.get(imp.name);
        if (!expected) throw new LinkError(`${who} imports ${what}, which is not a preview1 function`);
        expectType(expected);
        if (part === 0) {
          const provider = providers.get(imp.name);
          served[imp.name] = provider ? names[provider.part]! : 'host';
          if (provider) return [{ kind: 'func', part: provider.part, index: provider.func }];
        }
        if (input.denied?.(imp.name)) {
          return [synth(`denied.${imp.name}`, () => denied(imp.name, type), what)];
        }
        if (!hostSeen.has(imp.name)) {
          hostSeen.add(imp.name);
          hostImports.push({ name: imp.name, type });
        }
        return [{ kind: 'host', name: imp.name }];
      }
      if (part === 0) throw new LinkError(`${who} imports ${what}: a box can only import ${WASI_MODULE} functions`);

      if (imp.module === BOX_APP_MODULE) {
        expectType(BOX_APP_TYPES.get(imp.name));
        return [synth(what, () => boxApp(imp.name, names[part]!, part), what)];
      }
      if (imp.module === CONFIG_MODULE) {
        config ??= input.configSegment(part);
        const { first, sizes } = config;
        const made = boxConfig(imp.name, names[part]!, part, first, sizes);
        if (made) expectType(made.type);
        return [synth(what, () => made, what)];
      }
      if (imp.module.startsWith('box:')) {
        const target = names.indexOf(imp.module.slice(4));
        if (target <= 0) return [synth(what, () => notLinked(imp.module, imp.name, type), what)];
        const func = exportedFunc(modules[target]!, imp.name);
        if (func === undefined) throw new LinkError(`${who} imports ${what}, but capability ${names[target]} does not export it`);
        expectType(typeOfFunc(modules[target]!, func));
        return [{ kind: 'func', part: target, index: func }];
      }
      throw new LinkError(`${who} imports ${what}: capabilities import only ${WASI_MODULE}, box:app, box:config and box:<capability>`);
    });
  });
  return { targets, hostImports, served };
}
