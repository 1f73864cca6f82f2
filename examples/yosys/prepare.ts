// Writes the build context's generated part, gen/: Yosys's WASI build
// (gen/yosys.wasm) and its share tree as files (gen/share/...), which
// @yowasp/yosys keeps as a JS object. gen/ is not committed (30 MB).
// Run: node prepare.ts [DIR]   (default: gen/ beside this file)

import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTree, yosysTree, yosysWasmPath } from './share-tree.ts';

export const genDir = fileURLToPath(new URL('./gen', import.meta.url));

/** Every file and directory below `dir` gets mtime 0: the same package version gives the same box anywhere. */
function zeroTimes(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (lstatSync(path).isDirectory()) zeroTimes(path);
    utimesSync(path, 0, 0);
  }
}

/** Writes gen/ unless it is there already. */
export async function prepare(dir = genDir): Promise<string> {
  if (existsSync(join(dir, 'yosys.wasm'))) return dir;
  // Written aside and renamed: a concurrent or interrupted run never leaves half a tree.
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  writeTree(await yosysTree(), partial);
  copyFileSync(yosysWasmPath, join(partial, 'yosys.wasm'));
  zeroTimes(partial);
  try {
    renameSync(partial, dir);
  } catch (e) {
    if (!existsSync(join(dir, 'yosys.wasm'))) throw e;
    // Another run (the other test file of this package, in a worker of its own) renamed its tree first.
    rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await prepare(process.argv[2]));
