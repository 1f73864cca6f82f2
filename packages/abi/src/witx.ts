// A deliberately small reader for the witx dialect used by
// wasi_snapshot_preview1: enough to recover typenames and function
// signatures, so the hand-written table can be checked against the spec
// rather than trusted. It is not a general witx implementation (no
// validation, no resolution of modules other than `use`).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A quoted string literal; kept apart from atoms so `"memory"` ≠ `memory`. */
export interface WitxString {
  readonly str: string;
}
export type SExpr = string | WitxString | SExpr[];

export function isString(e: SExpr | undefined): e is WitxString {
  return typeof e === 'object' && e !== null && !Array.isArray(e);
}
export function isList(e: SExpr | undefined): e is SExpr[] {
  return Array.isArray(e);
}
export function isAtom(e: SExpr | undefined): e is string {
  return typeof e === 'string';
}

/** Parses a whole witx file into its top-level expressions. */
export function parseSExprs(text: string): SExpr[] {
  const stack: SExpr[][] = [[]];
  let i = 0;
  const n = text.length;
  const top = (): SExpr[] => stack[stack.length - 1]!;
  while (i < n) {
    const c = text[i]!;
    if (c === ';' && text[i + 1] === ';') {
      // `;;` and `;;;` (doc) comments both run to end of line; docs are not
      // needed by anything that consumes this parser.
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '(' && text[i + 1] === ';') {
      const end = text.indexOf(';)', i + 2);
      if (end < 0) throw new Error(`unterminated block comment at ${i}`);
      i = end + 2;
    } else if (c === '(') {
      const list: SExpr[] = [];
      top().push(list);
      stack.push(list);
      i++;
    } else if (c === ')') {
      if (stack.length === 1) throw new Error(`unbalanced ')' at ${i}`);
      stack.pop();
      i++;
    } else if (c === '"') {
      let s = '';
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\') {
          s += text[i + 1] ?? '';
          i += 2;
        } else {
          s += text[i];
          i++;
        }
      }
      if (i >= n) throw new Error('unterminated string');
      i++;
      top().push({ str: s });
    } else if (/\s/.test(c)) {
      i++;
    } else {
      let j = i;
      while (j < n && !/[\s()";]/.test(text[j]!)) j++;
      top().push(text.slice(i, j));
      i = j;
    }
  }
  if (stack.length !== 1) throw new Error('unbalanced "(": missing ")"');
  return stack[0]!;
}

/** Reads a witx file and splices in the expressions of any `(use "file")`. */
export function loadWitx(path: string): SExpr[] {
  const out: SExpr[] = [];
  for (const e of parseSExprs(readFileSync(path, 'utf8'))) {
    if (isList(e) && e[0] === 'use' && isString(e[1])) {
      out.push(...loadWitx(join(dirname(path), e[1].str)));
    } else {
      out.push(e);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Types

export type WitxType =
  | { kind: 'builtin'; name: string } // u8..u64, s64, string, char, ...
  | { kind: 'ref'; name: string } // another typename
  | { kind: 'enum'; tag: string; members: string[] }
  | { kind: 'flags'; repr: string; members: string[] }
  | { kind: 'record'; fields: { name: string; type: WitxType }[] }
  | { kind: 'union'; tag: string; cases: WitxType[] }
  | { kind: 'handle' }
  | { kind: 'list'; element: WitxType }
  | { kind: 'pointer'; isConst: boolean; pointee: WitxType }
  | { kind: 'expected'; ok: WitxType | null; err: WitxType | null }
  | { kind: 'tuple'; elements: WitxType[] };

const stripDollar = (s: string): string => (s.startsWith('$') ? s.slice(1) : s);

function atom(e: SExpr | undefined, what: string): string {
  if (!isAtom(e)) throw new Error(`expected atom for ${what}, got ${JSON.stringify(e)}`);
  return e;
}

/** `(@witx tag u16)` / `(@witx repr u64)` -> 'u16'. */
function annotation(e: SExpr | undefined, key: string): string | null {
  if (isList(e) && e[0] === '@witx' && e[1] === key) return stripDollar(atom(e[2], key));
  return null;
}

export function parseType(e: SExpr): WitxType {
  if (isAtom(e)) {
    return e.startsWith('$') ? { kind: 'ref', name: e.slice(1) } : { kind: 'builtin', name: e };
  }
  if (!isList(e)) throw new Error(`unexpected type ${JSON.stringify(e)}`);
  const head = e[0];
  if (head === '@witx') {
    const sub = atom(e[1], '@witx');
    if (sub === 'pointer' || sub === 'const_pointer') {
      return { kind: 'pointer', isConst: sub === 'const_pointer', pointee: parseType(e[2]!) };
    }
    throw new Error(`unknown @witx type ${sub}`);
  }
  switch (head) {
    case 'enum': {
      const tag = annotation(e[1], 'tag') ?? 'u32';
      const rest = annotation(e[1], 'tag') === null ? e.slice(1) : e.slice(2);
      return { kind: 'enum', tag, members: rest.map((m) => stripDollar(atom(m, 'enum member'))) };
    }
    case 'flags': {
      const repr = annotation(e[1], 'repr') ?? 'u32';
      const rest = annotation(e[1], 'repr') === null ? e.slice(1) : e.slice(2);
      return { kind: 'flags', repr, members: rest.map((m) => stripDollar(atom(m, 'flag'))) };
    }
    case 'record':
      return {
        kind: 'record',
        fields: e.slice(1).map((f) => {
          if (!isList(f) || f[0] !== 'field') throw new Error('record expects (field ...)');
          return { name: stripDollar(atom(f[1], 'field name')), type: parseType(f[2]!) };
        }),
      };
    case 'union': {
      const tag = annotation(e[1], 'tag');
      if (tag === null) throw new Error('union without (@witx tag ...)');
      return { kind: 'union', tag, cases: e.slice(2).map(parseType) };
    }
    case 'handle':
      return { kind: 'handle' };
    case 'list':
      return { kind: 'list', element: parseType(e[1]!) };
    case 'tuple':
      return { kind: 'tuple', elements: e.slice(1).map(parseType) };
    case 'expected': {
      let ok: WitxType | null = null;
      let err: WitxType | null = null;
      for (const part of e.slice(1)) {
        if (isList(part) && part[0] === 'error') err = parseType(part[1]!);
        else ok = parseType(part);
      }
      return { kind: 'expected', ok, err };
    }
    default:
      throw new Error(`unknown type constructor ${JSON.stringify(head)}`);
  }
}

/** All `(typename $name type)` declarations, in declaration order. */
export function extractTypenames(exprs: SExpr[]): Map<string, WitxType> {
  const out = new Map<string, WitxType>();
  for (const e of exprs) {
    if (isList(e) && e[0] === 'typename') {
      out.set(stripDollar(atom(e[1], 'typename')), parseType(e[2]!));
    }
  }
  return out;
}

/** Follows `ref`s until reaching a structural type. */
export function resolveType(types: Map<string, WitxType>, t: WitxType): WitxType {
  let cur = t;
  for (let guard = 0; cur.kind === 'ref'; guard++) {
    if (guard > 64) throw new Error('typename cycle');
    const next = types.get(cur.name);
    if (!next) throw new Error(`unknown typename ${cur.name}`);
    cur = next;
  }
  return cur;
}

/** Renders a type the way it is written in witx, minus `$` and `@witx`. */
export function typeToString(t: WitxType): string {
  switch (t.kind) {
    case 'builtin':
    case 'ref':
      return t.name;
    case 'pointer':
      return `${t.isConst ? 'const_pointer' : 'pointer'}<${typeToString(t.pointee)}>`;
    case 'list':
      return `list<${typeToString(t.element)}>`;
    case 'tuple':
      return `tuple<${t.elements.map(typeToString).join(', ')}>`;
    case 'expected':
      return `expected<${t.ok ? typeToString(t.ok) : '_'}, ${t.err ? typeToString(t.err) : '_'}>`;
    default:
      return t.kind;
  }
}

// ---------------------------------------------------------------------------
// Functions

export interface WitxFunction {
  name: string;
  params: { name: string; type: WitxType }[];
  results: { name: string; type: WitxType }[];
  noreturn: boolean;
}

/** Every `(@interface func (export "name") ...)` inside every `(module ...)`. */
export function extractFunctions(exprs: SExpr[]): WitxFunction[] {
  const out: WitxFunction[] = [];
  for (const m of exprs) {
    if (!isList(m) || m[0] !== 'module') continue;
    for (const f of m) {
      if (!isList(f) || f[0] !== '@interface' || f[1] !== 'func') continue;
      const exp = f[2];
      if (!isList(exp) || exp[0] !== 'export' || !isString(exp[1])) {
        throw new Error('function without (export "name")');
      }
      const fn: WitxFunction = { name: exp[1].str, params: [], results: [], noreturn: false };
      for (const part of f.slice(3)) {
        if (!isList(part)) continue;
        if (part[0] === 'param') {
          fn.params.push({ name: stripDollar(atom(part[1], 'param')), type: parseType(part[2]!) });
        } else if (part[0] === 'result') {
          fn.results.push({ name: stripDollar(atom(part[1], 'result')), type: parseType(part[2]!) });
        } else if (part[0] === '@witx' && part[1] === 'noreturn') {
          fn.noreturn = true;
        }
      }
      out.push(fn);
    }
  }
  return out;
}

/** Directory holding the preview1 witx files shipped with the repository. */
export const SPEC_DIR = new URL('../witx/', import.meta.url);
