// Writes the Yosys share tree that @yowasp/yosys keeps as a JS object
// (gen/resources-yosys.js: nested objects of name -> contents, or a URL of a
// .v file beside it) out as files, so a box can carry it as its image or a
// host directory can hold it.

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Tree = { [name: string]: string | Uint8Array | URL | Tree };

/** The package's gen/ folder (its exports map hides subpaths, so go through the main entry). */
export const yosysGen = dirname(fileURLToPath(import.meta.resolve('@yowasp/yosys')));
export const yosysWasmPath = join(yosysGen, 'yosys.core.wasm');

export function writeTree(tree: Tree, dir: string): number {
  mkdirSync(dir, { recursive: true });
  let files = 0;
  for (const [name, value] of Object.entries(tree)) {
    const path = join(dir, name);
    if (typeof value === 'string' || value instanceof Uint8Array) writeFileSync(path, value);
    else if (value instanceof URL) copyFileSync(fileURLToPath(value), path);
    else {
      files += writeTree(value, path);
      continue;
    }
    files++;
  }
  return files;
}

/** The package's filesystem tree (its top level holds `share`). */
export async function yosysTree(): Promise<Tree> {
  const resources = (await import(join(yosysGen, 'resources-yosys.js'))) as { filesystem: Tree };
  return resources.filesystem;
}
