// A small argument parser for the CLI's fixed grammar: options first, then
// positionals; after the command's last fixed positional everything belongs
// to the program (as `docker run IMAGE ARGS`), and `--` ends options anywhere.

/** A usage error: the CLI prints it on one line and exits 2 (125 for `box run`). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  /** long name without dashes */
  name: string;
  short?: string;
  /** takes a value (`--env K=V` or `--env=K=V`) */
  value?: boolean;
  /** may be given more than once (values collect in order) */
  multiple?: boolean;
}

export interface Parsed {
  options: Map<string, string[] | true>;
  positionals: string[];
  /** what followed `--` or the last fixed positional */
  rest: string[];
}

/**
 * Parses `argv` for `command`. `fixed` is how many positionals the command
 * takes before the program's own args begin (Infinity: only `--` starts them).
 */
export function parseArgs(command: string, argv: readonly string[], specs: readonly OptionSpec[], fixed: number): Parsed {
  const options = new Map<string, string[] | true>();
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === '--') return { options, positionals, rest: argv.slice(i) };
    if (arg.startsWith('-') && arg !== '-') {
      const long = arg.startsWith('--');
      const eq = long ? arg.indexOf('=') : -1;
      const key = long ? arg.slice(2, eq < 0 ? undefined : eq) : arg.slice(1);
      const spec = long ? byLong.get(key) : byShort.get(key);
      if (!spec) throw new UsageError(`${command}: unknown option ${long ? `--${key}` : arg} (see ${command} --help)`);
      if (!spec.value) {
        if (eq >= 0) throw new UsageError(`${command}: --${spec.name} takes no value`);
        options.set(spec.name, true);
        continue;
      }
      let value: string | undefined;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i < argv.length) value = argv[i++];
      if (value === undefined) throw new UsageError(`${command}: --${spec.name} needs a value (see ${command} --help)`);
      const prev = options.get(spec.name);
      if (Array.isArray(prev) && !spec.multiple) throw new UsageError(`${command}: --${spec.name} given twice`);
      options.set(spec.name, Array.isArray(prev) ? [...prev, value] : [value]);
      continue;
    }
    positionals.push(arg);
    if (positionals.length === fixed) return { options, positionals, rest: argv.slice(i) };
  }
  return { options, positionals, rest: [] };
}

export function flag(p: Parsed, name: string): boolean {
  return p.options.get(name) === true;
}

export function values(p: Parsed, name: string): string[] {
  const v = p.options.get(name);
  return Array.isArray(v) ? v : [];
}

export function value(p: Parsed, name: string): string | undefined {
  return values(p, name)[0];
}

/** Checks a KEY=VALUE argument. */
export function keyValue(command: string, option: string, kv: string): string {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new UsageError(`${command}: ${option} expects KEY=VALUE, got ${JSON.stringify(kv)}`);
  return kv;
}

/** "1000", "64k", "2m", "1g" (powers of 1024) -> bytes. */
export function parseSize(command: string, text: string, option: string): number {
  const m = /^(\d+)([kmg])?i?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${command}: ${option} expects a size such as 65536 or 64k, got ${JSON.stringify(text)}`);
  const scale = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Number(m[1]) * scale;
}
