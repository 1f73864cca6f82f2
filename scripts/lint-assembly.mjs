// Lints the AssemblyScript sources (assembly/**/*.ts) of the packages named on
// the command line, or of the package in the current directory, with Biome:
// one Biome run for all of them (the root lint task names every package with
// assembly sources; a Biome start per package cost more than the linting).
//
// Biome parses TypeScript, and AssemblyScript is TypeScript's syntax except
// for decorators on functions and globals (@inline, @global, ...), which
// TypeScript allows only on classes. So the sources are copied to a scratch
// directory with those decorators blanked (every line keeps its number) and
// linted there with the rules that make sense for AssemblyScript; the report
// names the real files.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const biome = join(root, 'node_modules', '.bin', 'biome');

/** Rules that do not fit AssemblyScript, and why. */
const OFF_FOR_ASSEMBLYSCRIPT = {
  suspicious: {
    // `==` compares two values of one static type: there is no coercion to avoid.
    noDoubleEquals: 'off',
    // `unchecked(a[i] = v)` is how AssemblyScript writes an unchecked store.
    noAssignInExpressions: 'off',
  },
  style: {
    // AssemblyScript has no `import type` and types its arrays as `new Array<i32>()`;
    // nullable narrowing needs `!` as in the TypeScript sources.
    useImportType: 'off',
    useArrayLiterals: 'off',
    noNonNullAssertion: 'off',
  },
  complexity: {
    // Math.min/max work on f64 and AssemblyScript has no `?.`.
    useMathMinMax: 'off',
    useOptionalChain: 'off',
  },
  correctness: {
    // u64 literals are exact in AssemblyScript.
    noPrecisionLoss: 'off',
  },
};

const DECORATOR = /^(\s*)@(?:inline|global|lazy|final|unmanaged|unsafe|external(?:\([^)]*\))?|operator(?:\.\w+)?(?:\([^)]*\))?)(?=\s|$)/;

function sources(dir) {
  let out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(sources(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

// The scratch directory mirrors the tree below `base`, so Biome's report names the real files.
const base = process.cwd();
const packages = process.argv.length > 2 ? process.argv.slice(2).map((p) => join(base, p)) : [base];
const scratch = mkdtempSync(join(tmpdir(), 'lint-assembly-'));
try {
  for (const file of packages.flatMap((pkg) => sources(join(pkg, 'assembly')))) {
    const copy = join(scratch, relative(base, file));
    mkdirSync(dirname(copy), { recursive: true });
    const lines = readFileSync(file, 'utf8').split('\n').map((line) => line.replace(DECORATOR, '$1'));
    writeFileSync(copy, lines.join('\n'));
  }
  writeFileSync(join(scratch, 'biome.json'), JSON.stringify({
    root: true,
    formatter: { enabled: false },
    assist: { enabled: false },
    linter: { enabled: true, rules: { preset: 'recommended', ...OFF_FOR_ASSEMBLYSCRIPT } },
  }));
  const run = spawnSync(biome, ['lint', '--max-diagnostics=200', '--colors=off', '.'], { cwd: scratch, encoding: 'utf8' });
  // Biome names files relative to the scratch directory, which mirrors `base`.
  const report = `${run.stdout}${run.stderr}`.replaceAll(scratch, base);
  if (run.status !== 0) process.stderr.write(report);
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
