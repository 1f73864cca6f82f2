// Checks the hand-written table against the witx. Everything expected here is
// re-derived from the spec text (lowering and C layout are implemented again
// below, independently of table.ts), so a typo in the table fails a test.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CONSTANT_GROUPS,
  ERRNO,
  FUNCTIONS,
  RIGHTS,
  STRUCTS,
  type WasiParam,
  type WasmType,
} from './table.ts';
import {
  extractFunctions,
  extractTypenames,
  loadWitx,
  parseSExprs,
  resolveType,
  SPEC_DIR,
  typeToString,
  type WitxType,
} from './witx.ts';

const exprs = loadWitx(join(fileURLToPath(SPEC_DIR), 'wasi_snapshot_preview1.witx'));
const types = extractTypenames(exprs);
const witxFunctions = extractFunctions(exprs);
const resolve = (t: WitxType): WitxType => resolveType(types, t);

// ---------------------------------------------------------------------------
// Lowering (the witx canonical ABI for preview1)

function scalarWasm(t: WitxType): WasmType {
  const r = resolve(t);
  switch (r.kind) {
    case 'builtin':
      if (r.name === 'u64' || r.name === 's64') return 'i64';
      if (['u8', 'u16', 'u32', 's8', 's16', 's32', 'char'].includes(r.name)) return 'i32';
      throw new Error(`no scalar lowering for ${r.name}`);
    case 'enum':
      return r.tag === 'u64' ? 'i64' : 'i32';
    case 'flags':
      return r.repr === 'u64' ? 'i64' : 'i32';
    case 'handle':
    case 'pointer':
      return 'i32';
    default:
      throw new Error(`no scalar lowering for ${r.kind}`);
  }
}

function lowerParam(name: string, t: WitxType): WasiParam[] {
  const r = resolve(t);
  if (r.kind === 'builtin' && r.name === 'string') {
    return [
      { name, type: 'const_pointer<u8>', wasm: 'i32' },
      { name: `${name}_len`, type: 'size', wasm: 'i32' },
    ];
  }
  if (r.kind === 'list') {
    return [
      { name, type: `pointer<${typeToString(r.element)}>`, wasm: 'i32' },
      { name: `${name}_len`, type: 'size', wasm: 'i32' },
    ];
  }
  return [{ name, type: typeToString(t), wasm: scalarWasm(t) }];
}

interface Lowered {
  params: WasiParam[];
  /** How many trailing params are out-pointers (their names are not in witx). */
  outCount: number;
  results: WasmType[];
}

function lower(fnName: string): Lowered {
  const f = witxFunctions.find((w) => w.name === fnName);
  if (!f) throw new Error(`no witx function ${fnName}`);
  const params: WasiParam[] = f.params.flatMap((p) => lowerParam(p.name, p.type));
  const results: WasmType[] = [];
  let outCount = 0;
  for (const r of f.results) {
    const t = resolve(r.type);
    if (t.kind !== 'expected') throw new Error(`${fnName}: only expected<> results are lowered`);
    const oks = t.ok === null ? [] : t.ok.kind === 'tuple' ? t.ok.elements : [t.ok];
    for (const ok of oks) {
      params.push({ name: '?', type: `pointer<${typeToString(ok)}>`, wasm: 'i32' });
      outCount++;
    }
    if (t.err !== null) results.push(scalarWasm(t.err));
  }
  if (f.noreturn) expect(results).toEqual([]);
  return { params, outCount, results };
}

describe('witx parser', () => {
  it('handles comments, strings and nesting', () => {
    const parsed = parseSExprs(';;; doc\n(a "x y" (b $c) ;; trailing\n (; block ;) d)');
    expect(parsed).toEqual([['a', { str: 'x y' }, ['b', '$c'], 'd']]);
  });
  it('rejects unbalanced input', () => {
    expect(() => parseSExprs('(a (b)')).toThrow();
    expect(() => parseSExprs('a)')).toThrow();
  });
  it('finds all 46 preview1 functions', () => {
    expect(witxFunctions).toHaveLength(46);
  });
});

describe('FUNCTIONS', () => {
  it('has exactly the witx functions, in witx order', () => {
    expect(FUNCTIONS.map((f) => f.name)).toEqual(witxFunctions.map((f) => f.name));
  });

  for (const w of witxFunctions) {
    it(`${w.name} matches the lowered witx signature`, () => {
      const entry = FUNCTIONS.find((f) => f.name === w.name);
      expect(entry, w.name).toBeDefined();
      if (!entry) return;
      const expected = lower(w.name);
      expect(entry.results).toEqual(expected.results);
      expect(entry.params.map((p) => [p.type, p.wasm])).toEqual(expected.params.map((p) => [p.type, p.wasm]));
      const named = expected.params.length - expected.outCount;
      expect(entry.params.slice(0, named).map((p) => p.name)).toEqual(
        expected.params.slice(0, named).map((p) => p.name),
      );
      const names = entry.params.map((p) => p.name);
      expect(new Set(names).size, 'param names are unique').toBe(names.length);
    });
  }

  it('marks fd params from the witx', () => {
    for (const w of witxFunctions) {
      const entry = FUNCTIONS.find((f) => f.name === w.name)!;
      const fdIdx = lower(w.name)
        .params.map((p, i) => (p.type === 'fd' ? i : -1))
        .filter((i) => i >= 0);
      expect(entry.fdParams, w.name).toEqual(fdIdx);
      expect(entry.takesFd, w.name).toBe(fdIdx[0] === 0);
    }
    // Routing by first argument covers every fd_/path_/sock_ call except
    // path_symlink, whose fd comes after the old path.
    const routed = FUNCTIONS.filter((f) => f.takesFd).map((f) => f.name);
    const prefixed = FUNCTIONS.filter((f) => /^(fd|path|sock)_/.test(f.name)).map((f) => f.name);
    expect(routed).toEqual(prefixed.filter((n) => n !== 'path_symlink'));
  });

  it('anchors a few well-known signatures', () => {
    const sig = (n: string): string => {
      const f = FUNCTIONS.find((x) => x.name === n)!;
      return `(${f.params.map((p) => p.wasm).join(',')})->(${f.results.join(',')})`;
    };
    expect(sig('fd_write')).toBe('(i32,i32,i32,i32)->(i32)');
    expect(sig('fd_seek')).toBe('(i32,i64,i32,i32)->(i32)');
    expect(sig('path_open')).toBe('(i32,i32,i32,i32,i32,i64,i64,i32,i32)->(i32)');
    expect(sig('proc_exit')).toBe('(i32)->()');
    expect(sig('sock_recv')).toBe('(i32,i32,i32,i32,i32,i32)->(i32)');
  });
});

// ---------------------------------------------------------------------------
// Enums and flags

describe('constants', () => {
  const witxGroups = [...types].filter(([, t]) => t.kind === 'enum' || t.kind === 'flags');

  it('covers every witx enum and flags typename', () => {
    expect(CONSTANT_GROUPS.map((g) => g.typename).sort()).toEqual(witxGroups.map(([n]) => n).sort());
  });

  for (const g of CONSTANT_GROUPS) {
    it(`${g.typename} has the witx members and values`, () => {
      const t = types.get(g.typename);
      expect(t?.kind).toBe(g.kind);
      if (!t || (t.kind !== 'enum' && t.kind !== 'flags')) return;
      expect(g.repr).toBe(t.kind === 'enum' ? t.tag : t.repr);
      const expected = t.members.map((m, i): [string, number | bigint] => {
        const name = m.toUpperCase();
        if (t.kind === 'enum') return [name, i];
        return g.repr === 'u64' ? [name, 1n << BigInt(i)] : [name, 2 ** i];
      });
      expect(Object.entries(g.values)).toEqual(expected);
    });
  }

  it('errno has 77 members with the spec values', () => {
    expect(Object.keys(ERRNO)).toHaveLength(77);
    expect(ERRNO.SUCCESS).toBe(0);
    expect(ERRNO['2BIG']).toBe(1);
    expect(ERRNO.BADF).toBe(8);
    expect(ERRNO.NOSYS).toBe(52);
    expect(ERRNO.NOTCAPABLE).toBe(76);
  });

  it('rights are bigint bits 0..29', () => {
    const values = Object.values(RIGHTS);
    expect(values).toHaveLength(30);
    expect(values.every((v) => typeof v === 'bigint')).toBe(true);
    expect(RIGHTS.FD_READ).toBe(2n);
    expect(RIGHTS.SOCK_ACCEPT).toBe(1n << 29n);
  });
});

// ---------------------------------------------------------------------------
// Layout (C rules on wasm32)

interface Layout {
  size: number;
  align: number;
}
const alignTo = (n: number, a: number): number => Math.ceil(n / a) * a;
const intSize: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

function layoutOf(t: WitxType): Layout {
  const r = resolve(t);
  switch (r.kind) {
    case 'builtin': {
      const s = intSize[r.name];
      if (s === undefined) throw new Error(`no layout for ${r.name}`);
      return { size: s, align: s };
    }
    case 'enum':
    case 'flags': {
      const s = intSize[r.kind === 'enum' ? r.tag : r.repr]!;
      return { size: s, align: s };
    }
    case 'handle':
    case 'pointer':
      return { size: 4, align: 4 };
    case 'list':
      return { size: 8, align: 4 };
    case 'record':
      return recordLayout(r.fields).layout;
    case 'union':
      return unionLayout(r).layout;
    default:
      throw new Error(`no layout for ${r.kind}`);
  }
}

function recordLayout(fields: { name: string; type: WitxType }[]): {
  layout: Layout;
  offsets: { name: string; offset: number; type: WitxType }[];
} {
  let off = 0;
  let align = 1;
  const offsets = fields.map((f) => {
    const l = layoutOf(f.type);
    off = alignTo(off, l.align);
    const entry = { name: f.name, offset: off, type: f.type };
    off += l.size;
    align = Math.max(align, l.align);
    return entry;
  });
  return { layout: { size: alignTo(off, align), align }, offsets };
}

function unionLayout(u: Extract<WitxType, { kind: 'union' }>): { layout: Layout; payloadOffset: number } {
  const tag = layoutOf({ kind: 'ref', name: u.tag });
  const cases = u.cases.map(layoutOf);
  const payloadAlign = Math.max(...cases.map((c) => c.align));
  const payloadOffset = alignTo(tag.size, payloadAlign);
  const align = Math.max(tag.align, payloadAlign);
  const size = alignTo(payloadOffset + Math.max(...cases.map((c) => c.size)), align);
  return { layout: { size, align }, payloadOffset };
}

/** The flattened view STRUCTS uses: unions contribute `<prefix>tag` and `<prefix>u`. */
function expectedStruct(name: string): {
  size: number;
  align: number;
  fields: Record<string, number>;
  fieldTypes: Record<string, { type: string; size: number }>;
} {
  const t = types.get(name);
  if (!t) throw new Error(`no typename ${name}`);
  const fields: Record<string, number> = {};
  const fieldTypes: Record<string, { type: string; size: number }> = {};
  const addUnion = (u: Extract<WitxType, { kind: 'union' }>, base: number, prefix: string): void => {
    const ul = unionLayout(u);
    fields[`${prefix}tag`] = base;
    fieldTypes[`${prefix}tag`] = { type: u.tag, size: layoutOf({ kind: 'ref', name: u.tag }).size };
    fields[`${prefix}u`] = base + ul.payloadOffset;
    fieldTypes[`${prefix}u`] = {
      type: [...new Set(u.cases.map(typeToString))].join(' | '),
      size: Math.max(...u.cases.map((c) => layoutOf(c).size)),
    };
  };
  if (t.kind === 'union') {
    addUnion(t, 0, '');
    return { ...unionLayout(t).layout, fields, fieldTypes };
  }
  if (t.kind !== 'record') throw new Error(`${name} is not a record or union`);
  const rl = recordLayout(t.fields);
  for (const f of rl.offsets) {
    fields[f.name] = f.offset;
    fieldTypes[f.name] = { type: typeToString(f.type), size: layoutOf(f.type).size };
    const ft = resolve(f.type);
    if (ft.kind === 'union') addUnion(ft, f.offset, `${f.name}_`);
  }
  return { ...rl.layout, fields, fieldTypes };
}

describe('STRUCTS', () => {
  for (const [name, layout] of Object.entries(STRUCTS)) {
    it(`${name} matches the C layout of the witx type`, () => {
      const exp = expectedStruct(name);
      expect({ size: layout.size, align: layout.align }).toEqual({ size: exp.size, align: exp.align });
      expect(layout.fields).toEqual(exp.fields);
      expect(layout.fieldTypes).toEqual(exp.fieldTypes);
    });
  }

  it('agrees with the published sizes', () => {
    const sizes = Object.fromEntries(Object.entries(STRUCTS).map(([n, l]) => [n, l.size]));
    expect(sizes).toMatchObject({
      iovec: 8,
      ciovec: 8,
      dirent: 24,
      fdstat: 24,
      filestat: 64,
      event: 32,
      subscription: 48,
      prestat: 8,
    });
    expect(STRUCTS.fdstat.fields.fs_flags).toBe(2);
    expect(STRUCTS.event.fields.fd_readwrite).toBe(16);
    expect(STRUCTS.subscription.fields.u_u).toBe(16);
  });

  it('covers every struct a capability reads or writes', () => {
    expect(Object.keys(STRUCTS)).toEqual(
      expect.arrayContaining([
        'iovec', 'ciovec', 'dirent', 'fdstat', 'filestat', 'event', 'event_fd_readwrite',
        'subscription', 'subscription_clock', 'subscription_fd_readwrite', 'prestat', 'prestat_dir',
      ]),
    );
  });
});
