// A small schema language for JSON the project reads back from files anyone
// can edit (the box manifest): one declaration gives both the TypeScript type
// (Infer) and the check that a parsed value has that shape, so the two cannot
// disagree about which fields are required.

/** A value's shape: `problem` says what is wrong with `v` at `path`, or undefined when it fits. */
export interface Schema<T> {
  readonly expected: string;
  readonly problem: (v: unknown, path: string) => string | undefined;
  /** phantom: carries T for Infer */
  readonly type?: T;
}

/** A field that may be absent. */
export interface Optional<T> {
  readonly optional: Schema<T>;
}

type Field = Schema<unknown> | Optional<unknown>;
type Fields = Readonly<Record<string, Field>>;

type Required<S extends Fields> = { [K in keyof S as S[K] extends Optional<unknown> ? never : K]: S[K] extends Schema<infer T> ? T : never };
type Partial<S extends Fields> = { [K in keyof S as S[K] extends Optional<unknown> ? K : never]?: S[K] extends Optional<infer T> ? T : never };
type Flatten<T> = { [K in keyof T]: T[K] };

/** The TypeScript type a schema describes. */
export type Infer<S> = S extends Schema<infer T> ? T : never;
export type ObjectOf<S extends Fields> = Flatten<Required<S> & Partial<S>>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function leaf<T>(expected: string, fits: (v: unknown) => boolean): Schema<T> {
  return { expected, problem: (v, path) => (fits(v) ? undefined : `"${path}" must be ${expected}`) };
}

export const string: Schema<string> = leaf('a string', (v) => typeof v === 'string');
export const boolean: Schema<boolean> = leaf('true or false', (v) => typeof v === 'boolean');
/** A non-negative safe integer (sizes, indices, ports). */
export const count: Schema<number> = leaf('a count', (v) => Number.isSafeInteger(v) && (v as number) >= 0);

export function optional<T>(schema: Schema<T>): Optional<T> {
  return { optional: schema };
}

/** A list whose every element fits `of`; a misfit names the list. */
export function list<T>(of: Schema<T>): Schema<T[]> {
  const expected = `a list of ${plural(of.expected)}`;
  return leaf(expected, (v) => Array.isArray(v) && v.every((x) => of.problem(x, '') === undefined));
}

/** An object used as a map: any keys, every value fits `of`. */
export function record<T>(of: Schema<T>): Schema<Record<string, T>> {
  const expected = `an object of ${plural(of.expected)}`;
  return leaf(expected, (v) => isPlainObject(v) && Object.values(v).every((x) => of.problem(x, '') === undefined));
}

/** An object with named fields; unknown fields are allowed (newer writers may add some). */
export function object<S extends Fields>(fields: S): Schema<ObjectOf<S>> {
  const required = Object.entries(fields).filter(([, f]) => !('optional' in f)).map(([k]) => k);
  const expected = `{ ${required.join(', ')} }`;
  return {
    expected,
    problem(v, path) {
      if (!isPlainObject(v)) return `"${path}" must be an object${required.length ? ` of ${expected}` : ''}`;
      for (const [key, field] of Object.entries(fields)) {
        const at = path ? `${path}.${key}` : key;
        const value = v[key];
        if (value === undefined) {
          if ('optional' in field) continue;
          return `"${at}" must be ${field.expected}`;
        }
        const wrong = ('optional' in field ? field.optional : field).problem(value, at);
        if (wrong) return wrong;
      }
      return undefined;
    },
  };
}

// "a string" -> "strings", "a list of strings" -> "lists of strings", "{ version }" stays:
// reads as "a list of strings", "an object of lists of strings", "an object of { version }".
function plural(expected: string): string {
  const m = /^an? (\w+)(.*)$/.exec(expected);
  return m ? `${m[1]!}s${m[2]!}` : expected;
}
