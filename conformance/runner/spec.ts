// Reading a wasi-testsuite test specification (the `.json` beside each
// `.wasm`). Three forms are accepted: the plain one (args, env, exit_code,
// stdout, stderr), the older fixture form `"dirs": [...]` and the newer
// `"root": "dir"`, and the `"operations"` form (run / write / read / wait
// steps). A malformed spec is reported as a value, never thrown, so one bad
// file fails one test instead of the whole run.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

export type Step =
  | { type: 'run'; args: string[]; env: Record<string, string> }
  | { type: 'write'; payload: string }
  | { type: 'read'; payload: string }
  | { type: 'wait'; exitCode: number };

/** A fixture directory: its host path, and the name it is preopened under (`/` for `root`). */
export interface Fixture {
  host: string;
  name: string;
}

export interface TestSpec {
  /** `root` (preopened as `/`), `dirs` (each under its own name), or none */
  fixtures: { kind: 'none' } | { kind: 'root'; dir: Fixture } | { kind: 'dirs'; dirs: Fixture[] };
  /** the plain form is turned into run, wait (and the stdout / stderr prefixes) */
  steps: Step[];
  /** expected prefixes of the whole output; stdout here only in the plain form */
  stdout?: string;
  stderr?: string;
}

export type ParsedSpec = { ok: true; spec: TestSpec } | { ok: false; reason: string };

const KNOWN = new Set(['args', 'env', 'exit_code', 'stdout', 'stderr', 'root', 'dirs', 'operations']);

class SpecError extends Error {}

function stringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new SpecError(`${what} must be a list of strings`);
  return value;
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SpecError(`${what} must be an object of strings`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new SpecError(`${what}.${k} must be a string`);
  }
  return value as Record<string, string>;
}

function exitCode(value: unknown, what: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 255) throw new SpecError(`${what} must be an integer 0-255`);
  return value as number;
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new SpecError(`${what} must be a string`);
  return value as string | undefined;
}

function fixtureDir(base: string, path: unknown, what: string): string {
  if (typeof path !== 'string' || path === '') throw new SpecError(`${what} must be a non-empty string`);
  const host = isAbsolute(path) ? path : resolve(base, path);
  if (!existsSync(host) || !statSync(host).isDirectory()) throw new SpecError(`${what}: ${path} is not a directory beside the spec`);
  return host;
}

function step(raw: unknown, i: number): Step {
  const what = `operations[${i}]`;
  if (typeof raw !== 'object' || raw === null) throw new SpecError(`${what} must be an object`);
  const op = raw as Record<string, unknown>;
  switch (op.type) {
    case 'run':
      return { type: 'run', args: op.args === undefined ? [] : stringArray(op.args, `${what}.args`), env: op.env === undefined ? {} : stringMap(op.env, `${what}.env`) };
    case 'write':
    case 'read': {
      const payload = optionalString(op.payload, `${what}.payload`);
      if (payload === undefined) throw new SpecError(`${what}: ${op.type} needs a payload`);
      return { type: op.type, payload };
    }
    case 'wait':
      return { type: 'wait', exitCode: exitCode(op.exit_code, `${what}.exit_code`) };
    default:
      throw new SpecError(`${what}: unknown type ${JSON.stringify(op.type)} (expected run, write, read or wait)`);
  }
}

function fromJson(raw: unknown, base: string): TestSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SpecError('the spec must be a JSON object');
  const s = raw as Record<string, unknown>;
  const unknown = Object.keys(s).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new SpecError(`unknown field(s) ${unknown.join(', ')}`);

  let fixtures: TestSpec['fixtures'] = { kind: 'none' };
  if (s.root !== undefined && s.dirs !== undefined) throw new SpecError('root and dirs cannot both be given');
  if (s.root !== undefined) fixtures = { kind: 'root', dir: { host: fixtureDir(base, s.root, 'root'), name: '/' } };
  if (s.dirs !== undefined) {
    const dirs = stringArray(s.dirs, 'dirs').map((d, i) => {
      const name = d.replace(/\/+$/, '');
      // Each dir is preopened under its own name: it must be one plain path component.
      if (name === '' || name.includes('/') || name === '.' || name === '..') throw new SpecError(`dirs[${i}]: ${JSON.stringify(d)} must name a directory beside the spec`);
      return { host: fixtureDir(base, name, `dirs[${i}]`), name };
    });
    fixtures = { kind: 'dirs', dirs };
  }

  if (s.operations !== undefined) {
    const plain = ['args', 'env', 'exit_code', 'stdout', 'stderr'].filter((k) => s[k] !== undefined);
    if (plain.length) throw new SpecError(`operations cannot be combined with ${plain.join(', ')} (give them as run / read / wait steps)`);
    if (!Array.isArray(s.operations)) throw new SpecError('operations must be a list');
    const steps = s.operations.map(step);
    if (steps[0]?.type !== 'run') throw new SpecError('operations must start with a run step');
    if (steps.slice(1).some((st) => st.type === 'run')) throw new SpecError('operations may hold only one run step');
    return { fixtures, steps };
  }

  const spec: TestSpec = {
    fixtures,
    steps: [
      { type: 'run', args: s.args === undefined ? [] : stringArray(s.args, 'args'), env: s.env === undefined ? {} : stringMap(s.env, 'env') },
      { type: 'wait', exitCode: exitCode(s.exit_code, 'exit_code') },
    ],
  };
  const stdout = optionalString(s.stdout, 'stdout');
  const stderr = optionalString(s.stderr, 'stderr');
  if (stdout !== undefined) spec.stdout = stdout;
  if (stderr !== undefined) spec.stderr = stderr;
  return spec;
}

/** Reads the spec of `wasm` (X.wasm -> X.json); a test without one expects exit code 0 and nothing else. */
export function readSpec(wasm: string): ParsedSpec {
  const path = wasm.replace(/\.wasm$/, '.json');
  if (!existsSync(path)) return { ok: true, spec: fromJson({}, dirname(wasm)) };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { ok: false, reason: `bad spec ${path.replace(/^.*\//, '')}: ${(e as Error).message}` };
  }
  try {
    return { ok: true, spec: fromJson(raw, dirname(path)) };
  } catch (e) {
    if (e instanceof SpecError) return { ok: false, reason: `bad spec ${path.replace(/^.*\//, '')}: ${e.message}` };
    throw e;
  }
}

/** Output is compared as the upstream runner does: line endings normalized, then a prefix match. */
export const normalize = (text: string): string => text.replace(/\r\n/g, '\n');
