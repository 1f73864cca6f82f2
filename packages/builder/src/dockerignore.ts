// .dockerignore (Docker's rules): one pattern a line, `#` comments, paths
// cleaned and taken from the context root (a leading / is dropped), `*`,
// `?` and `[...]` within one path segment, `**` across any number of
// segments, `!` re-includes; the last pattern that matches decides. A
// pattern that matches a directory also excludes everything below it.

export interface IgnorePattern {
  negate: boolean;
  regex: RegExp;
  text: string;
}

/** A path-segment glob as a regex source: `*`, `?`, `[...]` never cross `/`. */
export function globSource(pattern: string): string {
  let out = '';
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k]!;
    if (c === '*') {
      if (pattern[k + 1] === '*') {
        // `**/` matches zero or more directories; a trailing `**` anything below.
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

/** Cleans a path as Go's filepath.Clean would, relative to the context root. */
export function cleanRelative(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) continue; // .dockerignore paths cannot climb above the root
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    const cleaned = cleanRelative(line);
    if (cleaned === '') continue;
    out.push({ negate, regex: new RegExp(`^${globSource(cleaned)}$`), text: rawLine.trim() });
  }
  return out;
}

/** True when `path` (relative to the context, "/"-separated) is excluded. */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  const parts = path.split('/');
  let ignored = false;
  for (const p of patterns) {
    // The pattern matches the path itself or one of its parent directories.
    let hit = false;
    for (let n = parts.length; n >= 1 && !hit; n--) hit = p.regex.test(parts.slice(0, n).join('/'));
    if (hit) ignored = !p.negate;
  }
  return ignored;
}

/**
 * Whether a directory excluded by the patterns may still hold re-included
 * files (a later `!` pattern reaching below it), so the walk must go in.
 */
export function mayReinclude(patterns: readonly IgnorePattern[], dir: string): boolean {
  return patterns.some((p) => p.negate && (p.text.includes('**') || cleanRelative(p.text.slice(1).trim()).startsWith(`${dir}/`)));
}
