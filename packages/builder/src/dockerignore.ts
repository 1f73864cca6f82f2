// .dockerignore as Docker reads it (moby's ignorefile reader and
// patternmatcher; see docs.docker.com's .dockerignore page):
// - a line whose first byte is `#` is a comment (before any trimming, so
//   ` #x` is a pattern); a UTF-8 BOM on the first line is dropped;
// - a pattern is trimmed, a leading `!` (re-inclusion) is taken off, the rest
//   cleaned as Go's filepath.Clean does (`./a`, `a/`, `a//b` and `a/../b`
//   shrink; a leading `..` stays and so never matches) and one leading `/` is
//   dropped: patterns are relative to the context root;
// - `*` and `?` never cross `/`; `[...]` is a class (`^` negates, `!` is a
//   literal); `\` escapes the next character; `**` spans any number of
//   directories, and a pattern that starts with `**` matches as a suffix
//   (`**.txt` is any path ending in `.txt`) while one that is otherwise literal
//   and ends in `**` matches as a prefix (`dir**` also takes `dir2`);
// - a pattern matches a path or any of its parent directories; the last
//   pattern that matches decides;
// - a malformed pattern (an unclosed `[`, a trailing `\`, an empty class,
//   a lone `!`) fails the build, as Docker's does.

import { BuildError } from './errors.ts';

export interface IgnorePattern {
  negate: boolean;
  /** The pattern after cleaning, without its `!`. */
  text: string;
  /** Whether this pattern (ignoring its `!`) matches exactly `path`. */
  matches(path: string): boolean;
}

/** A path-segment glob as a regex source (COPY's sources): `*`, `?`, `[...]` never cross `/`. */
export function globSource(pattern: string): string {
  let out = '';
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k]!;
    if (c === '*') {
      if (pattern[k + 1] === '*') {
        k++;
        if (pattern[k + 1] === '/') {
          k++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', k + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let set = pattern.slice(k + 1, close);
      if (set.startsWith('^') || set.startsWith('!')) set = `^${set.slice(1)}`;
      out += `[${set.replace(/\\/g, '\\\\')}]`;
      k = close;
    } else if (c === '\\' && k + 1 < pattern.length) {
      out += pattern[++k]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

/** Go's filepath.Clean on a "/"-separated path. */
export function goClean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..'); // a rooted path cannot climb above `/`
    } else parts.push(p);
  }
  const body = parts.join('/');
  return rooted ? `/${body}` : body === '' ? '.' : body;
}

/** The index after one class character at `k`, or -1 when none may stand there. */
function classChar(p: string, k: number): number {
  const d = p[k];
  if (d === undefined || d === '-' || d === ']') return -1;
  if (d === '\\') return k + 1 < p.length ? k + 2 : -1;
  return k + 1;
}

/** Why Go's filepath.Match would call `p` malformed, or undefined when it is well formed. */
function syntaxError(p: string): string | undefined {
  for (let k = 0; k < p.length; k++) {
    const c = p[k];
    if (c === '\\') {
      if (++k >= p.length) return 'a trailing \\ escapes nothing';
    } else if (c === '[') {
      k++;
      if (p[k] === '^') k++;
      for (let ranges = 0; ; ranges++) {
        if (k >= p.length) return 'an unclosed [';
        if (p[k] === ']' && ranges > 0) break;
        // one class item: a character (or an escape), optionally `-` and another
        k = classChar(p, k);
        if (k >= 0 && p[k] === '-') k = classChar(p, k + 1);
        if (k < 0) return 'a malformed character class';
      }
    }
  }
  return undefined;
}

const REGEX_SPECIAL = /[.+()|{}$]/; // moby escapes these; `^`, `[`, `]` keep their regex meaning

/** Compiles one cleaned pattern the way moby's patternmatcher does (exact, prefix, suffix or regex). */
function compile(p: string): (path: string) => boolean {
  let re = '^';
  let kind: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  for (let k = 0; k < p.length; k++) {
    const c = p[k]!;
    if (c === '*' && p[k + 1] === '*') {
      const atStart = k === 0;
      k++;
      if (p[k + 1] === '/') k++;
      if (k + 1 >= p.length) {
        if (kind === 'exact') kind = 'prefix';
        else {
          re += '.*';
          kind = 'regexp';
        }
      } else {
        re += '(.*/)?';
        kind = 'regexp';
      }
      if (atStart) kind = 'suffix';
    } else if (c === '*') {
      re += '[^/]*';
      kind = 'regexp';
    } else if (c === '?') {
      re += '[^/]';
      kind = 'regexp';
    } else if (REGEX_SPECIAL.test(c)) re += `\\${c}`;
    else if (c === '\\') {
      if (k + 1 < p.length) {
        // Escaped characters are literal (Go's regexp would read `\d` as a digit class; a user escaping means the character).
        const n = p[++k]!;
        re += /[A-Za-z0-9]/.test(n) ? n : `\\${n}`;
        kind = 'regexp';
      } else re += '\\\\';
    } else if (c === '[' || c === ']') {
      re += c;
      kind = 'regexp';
    } else re += c;
  }
  switch (kind) {
    case 'exact':
      return (path) => path === p;
    case 'prefix': {
      const prefix = p.slice(0, -2);
      return (path) => path.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = p.slice(2);
      return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp': {
      let regex: RegExp;
      try {
        regex = new RegExp(`${re}$`);
      } catch {
        throw new Error('not a valid pattern');
      }
      return (path) => regex.test(path);
    }
  }
}

export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = n === 0 && lines[0]!.startsWith('\uFEFF') ? lines[0]!.slice(1) : lines[n]!;
    if (line.startsWith('#')) continue;
    line = line.trim();
    if (line === '') continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    if (line !== '') {
      line = goClean(line);
      if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
    }
    const where = `.dockerignore:${n + 1}`;
    if (negate && line === '') throw new BuildError(`${where}: illegal exclusion pattern "!"`);
    const bad = syntaxError(line);
    if (bad !== undefined) throw new BuildError(`${where}: ${line}: syntax error in pattern (${bad})`);
    let matches: (path: string) => boolean;
    try {
      matches = compile(line);
    } catch {
      throw new BuildError(`${where}: ${line}: syntax error in pattern (not a valid character class)`);
    }
    out.push({ negate, text: line, matches });
  }
  return out;
}

/** True when `path` (relative to the context, "/"-separated) is excluded. */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  const parts = path.split('/');
  let ignored = false;
  for (const p of patterns) {
    // The pattern matches the path itself or one of its parent directories.
    let hit = p.matches(path);
    for (let n = 1; n < parts.length && !hit; n++) hit = p.matches(parts.slice(0, n).join('/'));
    if (hit) ignored = !p.negate;
  }
  return ignored;
}

/**
 * Whether a directory excluded by the patterns may still hold re-included
 * files (a later `!` pattern that can match a path below it), so the walk
 * must go in. Conservative: a `**` or a wildcard segment that fits keeps it.
 */
export function mayReinclude(patterns: readonly IgnorePattern[], dir: string): boolean {
  const dirParts = dir.split('/');
  return patterns.some((p) => {
    if (!p.negate) return false;
    if (p.text.includes('**')) return true;
    const segs = p.text.split('/');
    if (segs.length <= dirParts.length) return false; // it can only name the directory or above it
    return dirParts.every((d, k) => {
      try {
        return compile(segs[k]!)(d);
      } catch {
        return true; // a segment that is no pattern alone (a class around a "/"): go in, the whole pattern decides
      }
    });
  });
}
