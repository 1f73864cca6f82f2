// The `--clock` and `--random` options, parsed from the raw CLI strings
// (DESIGN.md §5): `host`, `fixed:T` (RFC 3339), `offset:D` (a signed
// duration), `seed:N` (an unsigned 64-bit decimal).

export type ClockMode =
  | { kind: 'host' }
  /** REALTIME starts at `start` ns since the epoch; all clocks are virtual */
  | { kind: 'fixed'; start: bigint }
  /** REALTIME is the host's plus `offset` ns (negative: earlier) */
  | { kind: 'offset'; offset: bigint };

export type RandomMode =
  | { kind: 'host' }
  /** random_get answers a ChaCha20 keystream keyed by `seed` */
  | { kind: 'seed'; seed: bigint };

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const NS_PER_SECOND = 1_000_000_000n;

// RFC 3339 §5.6 date-time. "T" and "Z" may be lower case (§5.6 NOTE).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * An RFC 3339 date-time as ns since 1970-01-01T00:00:00Z. A leap second
 * (:60) counts as the first second of the next minute, as POSIX time does.
 */
export function parseRfc3339(s: string): bigint {
  const m = DATE_TIME.exec(s);
  if (!m) {
    throw new Error(`not an RFC 3339 date-time: ${JSON.stringify(s)} (expected e.g. 2000-01-01T00:00:00Z or 2000-01-01T01:00:00.5+01:00)`);
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12) throw new Error(`month out of range in ${JSON.stringify(s)}`);
  if (day < 1 || day > daysInMonth(year, month)) throw new Error(`day out of range in ${JSON.stringify(s)}`);
  if (hour > 23) throw new Error(`hour out of range in ${JSON.stringify(s)}`);
  if (minute > 59) throw new Error(`minute out of range in ${JSON.stringify(s)}`);
  if (second > 60) throw new Error(`second out of range in ${JSON.stringify(s)}`);
  if (fraction.length > 9) throw new Error(`more than nanosecond precision in ${JSON.stringify(s)}`);
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]), offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) throw new Error(`time zone offset out of range in ${JSON.stringify(s)}`);
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // Date.UTC is exact for whole seconds in this range and rolls :60 over.
  const seconds = BigInt(Date.UTC(year, month - 1, day, hour, minute, second) / 1000) - BigInt(offsetMinutes * 60);
  const ns = seconds * NS_PER_SECOND + BigInt(fraction.padEnd(9, '0') || '0');
  if (ns < 0n) throw new Error(`${JSON.stringify(s)} is before 1970-01-01T00:00:00Z: WASI realtime cannot represent it`);
  if (ns > U64_MAX) throw new Error(`${JSON.stringify(s)} is after 2554-07-21T23:34:33Z: WASI realtime cannot represent it`);
  return ns;
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  ms: 1_000_000n,
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
  d: 86400n * NS_PER_SECOND,
};
const DURATION = /^([+-]?)((?:\d+(?:ns|us|µs|ms|s|m|h|d))+|0)$/;
const TERM = /(\d+)(ns|us|µs|ms|s|m|h|d)/g;

/** A signed duration such as `-90s`, `+2h`, `1d`, `500ms`, `1h30m` (or `0`), in ns. */
export function parseDuration(s: string): bigint {
  const m = DURATION.exec(s);
  if (!m) {
    throw new Error(`not a duration: ${JSON.stringify(s)} (expected an optional sign and number-unit terms, e.g. -90s, +2h, 1h30m, 500ms; units ns us ms s m h d)`);
  }
  let ns = 0n;
  for (const [, count, unit] of m[2]!.matchAll(TERM)) ns += BigInt(count!) * UNITS[unit!]!;
  if (m[1] === '-') ns = -ns;
  if (ns < I64_MIN || ns > I64_MAX) throw new Error(`duration out of range (about ±292 years): ${JSON.stringify(s)}`);
  return ns;
}

/** `--clock`: `host`, `fixed:RFC3339`, or `offset:DURATION`; undefined means host. */
export function parseClockMode(s: string | undefined): ClockMode {
  if (s === undefined || s === 'host') return { kind: 'host' };
  if (s.startsWith('fixed:')) return { kind: 'fixed', start: parseRfc3339(s.slice(6)) };
  if (s.startsWith('offset:')) return { kind: 'offset', offset: parseDuration(s.slice(7)) };
  throw new Error(`bad --clock ${JSON.stringify(s)}: expected host, fixed:T (RFC 3339, e.g. fixed:2000-01-01T00:00:00Z) or offset:D (e.g. offset:-90s)`);
}

/** `--random`: `host` or `seed:N` (0 to 2^64-1, decimal); undefined means host. */
export function parseRandomMode(s: string | undefined): RandomMode {
  if (s === undefined || s === 'host') return { kind: 'host' };
  if (s.startsWith('seed:')) {
    const n = s.slice(5);
    if (!/^\d+$/.test(n)) throw new Error(`bad --random seed ${JSON.stringify(n)}: expected a decimal number from 0 to 18446744073709551615`);
    const seed = BigInt(n);
    if (seed > U64_MAX) throw new Error(`bad --random seed ${n}: larger than 2^64-1 (18446744073709551615)`);
    return { kind: 'seed', seed };
  }
  throw new Error(`bad --random ${JSON.stringify(s)}: expected host or seed:N (e.g. seed:42)`);
}
