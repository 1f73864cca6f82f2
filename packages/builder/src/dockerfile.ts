// The Dockerfile grammar (Docker's reference, "Dockerfile reference"):
// parser directives at the top, comments, line continuations with the
// escape character, one instruction per logical line, exec form (a JSON
// array) or shell form, and --flag=value options before the arguments.
// Every instruction keeps the line it starts on.

import { at } from './errors.ts';

export interface Instruction {
  /** upper case: FROM, COPY, RUN … */
  keyword: string;
  /** the line the instruction starts on (1-based) */
  line: number;
  /** the text after the keyword, continuations joined, flags included */
  raw: string;
  /** --name=value options before the arguments (COPY, ADD, FROM, RUN) */
  flags: Map<string, string>;
  /** the arguments after the flags, as written */
  rest: string;
  /** the exec form's strings, when `rest` is a JSON array of strings */
  exec?: string[];
}

export interface Dockerfile {
  /** the name errors use ("Dockerfile", or the -f path) */
  file: string;
  escape: string;
  instructions: Instruction[];
}

const FLAGGED = new Set(['FROM', 'COPY', 'ADD', 'RUN']);
const EXEC_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'VOLUME', 'SHELL', 'HEALTHCHECK']);

/** A JSON array of strings, or undefined (Docker falls back to the shell form then). */
export function parseExec(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  } catch {
    // not JSON: the shell form
  }
  return undefined;
}

/** Splits off leading `--name=value` (or `--name`) options. */
function splitFlags(file: string, line: number, text: string): { flags: Map<string, string>; rest: string } {
  const flags = new Map<string, string>();
  let rest = text;
  for (;;) {
    const m = /^--([A-Za-z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    if (flags.has(m[1]!)) throw at(file, line, `--${m[1]} given twice`);
    flags.set(m[1]!, m[2] ?? 'true');
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** Parses a Dockerfile's text. Errors name `file:line`. */
export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  const lines = text.split(/\r?\n/);
  // A NUL can reach no path, argument or variable of a box: refuse it where it is.
  const nul = lines.findIndex((l) => l.includes('\0'));
  if (nul >= 0) throw at(file, nul + 1, 'a NUL character is not allowed in a Dockerfile');
  let escape = '\\';
  let i = 0;
  // Parser directives: `# key=value` lines at the very top; the first other line ends them.
  const seen = new Set<string>();
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([A-Za-z]+)\s*=\s*(\S*)\s*$/.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (seen.has(key)) throw at(file, i + 1, `parser directive ${key} given twice`);
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw at(file, i + 1, `escape must be \\ or \`, got ${JSON.stringify(m[2])}`);
      escape = m[2];
    }
    // syntax= and check= are for BuildKit front ends; nothing to do here.
  }
  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const first = lines[i]!;
    if (/^\s*(#|$)/.test(first)) {
      i++;
      continue;
    }
    const line = i + 1;
    let logical = '';
    let current = first;
    for (;;) {
      const trimmed = current.replace(/\s+$/, '');
      if (trimmed.endsWith(escape) && !trimmed.endsWith(escape + escape)) {
        logical += trimmed.slice(0, -1);
        i++;
        // Comment and empty lines inside a continuation are dropped, as Docker does.
        while (i < lines.length && /^\s*(#|$)/.test(lines[i]!)) i++;
        if (i >= lines.length) break;
        current = lines[i]!;
        continue;
      }
      logical += current;
      i++;
      break;
    }
    // A continuation on the last line with nothing before it leaves no instruction.
    if (logical.trim() === '') continue;
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(logical)!;
    const keyword = m[1]!.toUpperCase();
    const raw = m[2]!.trim();
    if (/<<-?\s*["']?[A-Za-z_]/.test(raw) && (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD')) {
      throw at(file, line, `${keyword} with a heredoc (<<) is not supported: put the text in a file of the build context`);
    }
    const { flags, rest } = FLAGGED.has(keyword) ? splitFlags(file, line, raw) : { flags: new Map<string, string>(), rest: raw };
    const exec = EXEC_FORM.has(keyword) ? parseExec(rest) : undefined;
    if (exec?.some((a) => a.includes('\0'))) throw at(file, line, `${keyword}: a NUL character (\\u0000) is not allowed in an argument`);
    instructions.push({ keyword, line, raw, flags, rest, exec });
  }
  return { file, escape, instructions };
}
