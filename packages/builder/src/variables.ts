// Variable substitution as the Dockerfile reference describes it: $VAR,
// ${VAR}, ${VAR:-word} (word when unset or empty), ${VAR:+word} (word when
// set and not empty), nothing inside single quotes, the escape character
// keeping a `$` literal. Words are split on unquoted whitespace only where
// the instruction takes several (COPY sources, ENV/LABEL pairs, EXPOSE);
// quotes are removed as the shell would.

export type Lookup = (name: string) => string | undefined;

export class SubstitutionError extends Error {
  override name = 'SubstitutionError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

interface Lexed {
  words: string[];
}

function lex(text: string, lookup: Lookup, escape: string, split: boolean): Lexed {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let k = 0;
  const variable = (): string => {
    // text[k] === '$'
    const rest = text.slice(k + 1);
    if (rest.startsWith('{')) {
      const close = findClose(text, k + 2, escape);
      if (close < 0) throw new SubstitutionError(`missing } in ${JSON.stringify(text)}`);
      const body = text.slice(k + 2, close);
      k = close + 1;
      const m = NAME.exec(body);
      if (!m) throw new SubstitutionError(`bad substitution \${${body}}`);
      const name = m[0];
      const op = body.slice(name.length);
      const value = lookup(name);
      if (op === '') return value ?? '';
      const word = () => lex(op.slice(2), lookup, escape, false).words.join('');
      if (op.startsWith(':-')) return value ? value : word();
      if (op.startsWith(':+')) return value ? word() : '';
      if (op.startsWith('-')) return value !== undefined ? value : lex(op.slice(1), lookup, escape, false).words.join('');
      if (op.startsWith('+')) return value !== undefined ? lex(op.slice(1), lookup, escape, false).words.join('') : '';
      throw new SubstitutionError(`unsupported modifier in \${${body}} (supported: :- :+ - +)`);
    }
    const m = NAME.exec(rest);
    if (!m) {
      k++;
      return '$';
    }
    k += 1 + m[0].length;
    return lookup(m[0]) ?? '';
  };
  while (k < text.length) {
    const c = text[k]!;
    if (c === escape && k + 1 < text.length && quote !== "'") {
      const next = text[k + 1]!;
      // Inside double quotes only $, " and the escape itself are escapable, as in sh.
      if (quote === '"' && next !== '$' && next !== '"' && next !== escape) word += c;
      word += next;
      k += 2;
      inWord = true;
    } else if (quote === "'") {
      if (c === "'") quote = '';
      else word += c;
      k++;
    } else if (c === '$') {
      word += variable();
      inWord = true;
    } else if (quote === '"') {
      if (c === '"') quote = '';
      else word += c;
      k++;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      k++;
    } else if (split && /\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      k++;
    } else {
      word += c;
      inWord = true;
      k++;
    }
  }
  if (quote) throw new SubstitutionError(`unterminated ${quote} quote in ${JSON.stringify(text)}`);
  if (inWord || !split) words.push(word);
  return { words };
}

function findClose(text: string, from: number, escape: string): number {
  let depth = 1;
  for (let k = from; k < text.length; k++) {
    if (text[k] === escape) k++;
    else if (text[k] === '{') depth++;
    else if (text[k] === '}' && --depth === 0) return k;
  }
  return -1;
}

/** Substitutes variables and removes quotes; whitespace stays (WORKDIR, USER, ENV values). */
export function expandWord(text: string, lookup: Lookup, escape = '\\'): string {
  return lex(text, lookup, escape, false).words[0] ?? '';
}

/** Substitutes variables, removes quotes and splits on unquoted whitespace. */
export function expandWords(text: string, lookup: Lookup, escape = '\\'): string[] {
  return lex(text, lookup, escape, true).words;
}

/**
 * `KEY=VALUE KEY2="two words"` pairs (ENV, LABEL, ARG), or the legacy
 * `KEY VALUE` form (rest of the line is the value) when allowed.
 */
export function expandPairs(text: string, lookup: Lookup, escape: string, legacy: boolean): Array<[string, string]> {
  const trimmed = text.trim();
  const legacyMatch = /^([^\s=]+)\s+([\s\S]*)$/.exec(trimmed);
  if (legacy && legacyMatch && !legacyMatch[1]!.includes('=')) {
    return [[legacyMatch[1]!, expandWord(legacyMatch[2]!.trim(), lookup, escape)]];
  }
  return expandWords(trimmed, lookup, escape).map((word) => {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new SubstitutionError(`expected KEY=VALUE, got ${JSON.stringify(word)}`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}
