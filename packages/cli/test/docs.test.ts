// The docs stand on their own: DESIGN.md is in the repository and every
// "DESIGN.md §N" citation names a section it has; the command lines the
// Markdown files show work after the README's Quick start, which puts no
// pnpm on PATH and leaves `node` the system's (Node 20 on our machines, which
// runs no .ts file); and every flag a `box` or `box-link` line uses is one
// that command's --help lists. The browser demo they show runs without a
// host directory, as a browser has none.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBox } from '@marcotte/runtime';
import { build, link } from '../src/api.ts';
import { BOX_HELP } from '../src/main.ts';
import { LINK_HELP } from '../src/commands/link.ts';
import { RUN_HELP } from '../src/commands/run.ts';
import { BUILD_HELP } from '../src/commands/build.ts';
import { EXPORT_HELP } from '../src/commands/export.ts';
import { INSPECT_HELP } from '../src/commands/inspect.ts';
import { SERVE_HELP } from '../src/commands/serve.ts';
import { CONFORMANCE_HELP } from '@marcotte/conformance';

const root = new URL('../../../', import.meta.url).pathname;

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', '.turbo', 'test-output', 'gen', '.changeset', 'fixtures']);
const TEXT = /\.(md|ts|mjs|js|json|c|h|sh)$/;

function files(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) files(join(dir, entry.name), out);
    } else if (TEXT.test(entry.name) && entry.name !== 'CHANGELOG.md') {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

const all = files(root);
const markdown = all.filter((f) => f.endsWith('.md'));
const read = (f: string) => readFileSync(f, 'utf8').replaceAll('\\u00a7', '§');

/** Section numbers DESIGN.md has: "## 4. Authority" -> 4, "### 4.2 What …" -> 4.2. */
function designSections(): Set<string> {
  const text = readFileSync(join(root, 'DESIGN.md'), 'utf8');
  return new Set([...text.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]!));
}

/** The command lines of ```sh blocks: backslash continuations and a synopsis's indented lines joined, comments dropped. */
function shellLines(text: string): string[] {
  const lines: string[] = [];
  for (const block of text.matchAll(/^( *)```sh\n([\s\S]*?)^\1```/gm)) {
    let pending = '';
    for (const raw of block[2]!.split('\n')) {
      const unindented = raw.slice(block[1]!.length);
      const line = raw.replace(/\s+#\s.*$/, '').trim();
      if (!line) continue;
      if (/^\s/.test(unindented) && lines.length > 0 && !pending) {
        lines[lines.length - 1] += ` ${line}`;
      } else if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1)} `;
      } else {
        lines.push(pending + line);
        pending = '';
      }
    }
  }
  return lines;
}

/** What the first word of a command line in the docs may be: what exists after the Quick start, or a common system tool. */
const STARTS = new Set(['npx', 'box', 'box-link', 'pnpm', 'alias', 'cd', 'curl', 'apt-get', 'wasmtime', 'ctr', 'echo', 'skopeo', 'umoci', 'cmp']);

/** What `--help` prints for each command. */
const HELP: Record<string, string> = {
  box: BOX_HELP, 'box-link': LINK_HELP, 'box link': LINK_HELP, 'box run': RUN_HELP, 'box build': BUILD_HELP,
  'box inspect': INSPECT_HELP, 'box export': EXPORT_HELP, 'box conformance': CONFORMANCE_HELP, 'box serve': SERVE_HELP,
};

describe('the docs', () => {
  it('have DESIGN.md in the repository, and every "DESIGN.md §N" citation names one of its sections', () => {
    expect(existsSync(join(root, 'DESIGN.md'))).toBe(true);
    const sections = designSections();
    expect(sections.has('4') && sections.has('5.3')).toBe(true);
    const wrong: string[] = [];
    let citations = 0;
    for (const f of all) {
      for (const m of read(f).matchAll(/DESIGN(?:\.md)?\s*((?:§\s?\d+(?:\.\d+)?(?:,\s*|\s+and\s+)?)+)/g)) {
        for (const n of m[1]!.matchAll(/§\s?(\d+(?:\.\d+)?)/g)) {
          citations++;
          if (!sections.has(n[1]!)) wrong.push(`${relative(root, f)}: ${m[0].trim()}`);
        }
      }
    }
    expect(citations).toBeGreaterThan(30);
    expect(wrong).toEqual([]);
  });

  it('point at the repository\'s own DESIGN.md, not a shared folder', () => {
    const self = new URL(import.meta.url).pathname;
    const outside = all.filter((f) => f !== self && /shared folder|\/work\/shared\//.test(read(f))).map((f) => relative(root, f));
    expect(outside).toEqual([]);
  });

  it('show command lines that work after the Quick start: no bare `node` for a .ts script', () => {
    const bad: string[] = [];
    for (const f of markdown) {
      const text = read(f);
      for (const line of shellLines(text)) {
        if (!STARTS.has(line.split(/\s+/)[0]!)) bad.push(`${relative(root, f)}: ${line}`);
      }
      // Inline too: `node x.ts` runs on the system's Node, which may be 20; `pnpm exec node x.ts` runs the pinned 24.
      for (const m of text.matchAll(/`node (?:--[\w-]+ )*[^`\s]*\.ts\b[^`]*`/g)) bad.push(`${relative(root, f)}: ${m[0]}`);
    }
    expect(bad).toEqual([]);
  });

  it('use only flags that the command\'s --help lists', () => {
    const unknown: string[] = [];
    let checked = 0;
    for (const f of markdown) {
      for (const line of shellLines(read(f)).flatMap((l) => l.split(' && '))) {
        const words = line.split(/\s+/);
        let command: string[];
        if (words[0] === 'box-link') command = ['box-link'];
        else if (words[0] === 'box') command = words[1] && !words[1].startsWith('-') ? ['box', words[1]] : ['box'];
        else continue;
        const text = HELP[command.join(' ')];
        if (text === undefined) {
          unknown.push(`${relative(root, f)}: no command ${command.join(' ')}`);
          continue;
        }
        // Flags up to the program's own arguments (box-link's "-- ARGS").
        const options = line.split(' -- ')[0]!;
        for (const m of options.matchAll(/(?<![\w-])(--?[a-zA-Z][\w-]*)/g)) {
          checked++;
          if (!new RegExp(`(^|[\\s,])${m[1]}(?![\\w-])`, 'm').test(text)) unknown.push(`${relative(root, f)}: ${command.join(' ')} ${m[1]}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(unknown).toEqual([]);
  });

  // A browser gives a box no preopened directory (packages/web's host answers EBADF to the preopen scan),
  // as node:wasi does when runBox gets no dirs: what runs here without --dir runs in the playground.
  describe('the browser demo (README, packages/web/README.md) needs no host directory', () => {
    const withoutDirs = async (bytes: Uint8Array, input = '') => {
      let stdout = '';
      let stderr = '';
      const decoder = new TextDecoder();
      const { exitCode } = await runBox(bytes, {
        input: new TextEncoder().encode(input),
        onOutput: (fd, b) => { if (fd === 1) stdout += decoder.decode(b); else stderr += decoder.decode(b); },
      });
      return { exitCode, stdout, stderr };
    };

    it('the Quick start\'s box lists a --dir, so it stops where there is none', async () => {
      const { bytes } = link(readFileSync(join(root, 'examples/hello/hello.wasm')), { env: ['GREETING=Bonjour'] });
      const r = await withoutDirs(bytes);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^hello: cannot list \/data/);
    });

    it('box build -o hello-built.box.wasm examples/hello carries /data and runs', async () => {
      const { bytes } = await build({ context: join(root, 'examples/hello'), cacheDir: null });
      const r = await withoutDirs(bytes);
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      expect(r.stdout).toMatch(/^Bonjour from inside a box!\n[\s\S]*\/data:\n {2}name\.txt \(\d+ bytes\)\n {2}notes\.txt \(\d+ bytes\)\n$/);
    });

    it('box-link --fs --portable examples/playground/fsdemo.wasm runs and reads stdin', async () => {
      const { bytes } = link(readFileSync(join(root, 'examples/playground/fsdemo.wasm')), { fs: true, portable: true });
      const r = await withoutDirs(bytes, 'typed\n');
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      expect(r.stdout).toContain('echo: typed\n');
    });
  });
});
