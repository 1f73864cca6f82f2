// The record a compile leaves beside its module (build/asc-stamp.json), and the
// check of it: a module is up to date when the compiler is the same and every
// file the compile read, and every file it wrote, still has the contents it
// had then. Contents, not times: a fresh clone, a turbo cache replay or a
// `git checkout` that changes nothing the compile reads keeps the module.
//
// The stamp holds:
//   compiler  assemblyscript's and Binaryen's versions (the standard library
//             is built into asc, so its version stands for those files)
//   read      every path asc asked for (asconfig.json, which holds the
//             compile's arguments, first among them), relative to the package, with the
//             sha256 of what it got, or null when it was not there: asc
//             resolves an import by trying names in turn, so a file that
//             appears where one was missing can change what it compiles
//   wrote     every file asc wrote, with its sha256: a module deleted or
//             changed since is rebuilt

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAMP = 'build/asc-stamp.json';

export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The sha256 of a file, or null when there is no file at that path. */
export function hashFile(path) {
  try {
    return sha256(readFileSync(path));
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
    // a directory, an unreadable file: not what the compile saw, whatever it was
    return `unreadable (${e.code})`;
  }
}

/** A path as the stamp names it: relative to the package, with forward slashes. */
export function stampKey(dir, path) {
  return relative(dir, path).split(sep).join('/');
}

let compiler;
/** Which compiler this is, from the package.json files of assemblyscript and its Binaryen. */
export function compilerId() {
  if (compiler) return compiler;
  const ascJson = fileURLToPath(import.meta.resolve('assemblyscript/package.json'));
  const binaryenJson = createRequire(ascJson).resolve('binaryen/package.json');
  const version = (path) => JSON.parse(readFileSync(path, 'utf8')).version;
  compiler = `assemblyscript ${version(ascJson)}, binaryen ${version(binaryenJson)}`;
  return compiler;
}

function readStamp(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The files the last compile of the package wrote, as its stamp names them (none without a stamp). */
export function stampedOutputs(dir) {
  const stamp = readStamp(dir);
  return stamp && typeof stamp.wrote === 'object' ? Object.keys(stamp.wrote).map((f) => resolve(dir, f)) : [];
}

/** Why the package's module must be compiled again, or null when it is up to date. */
export function whyStale(dir) {
  const stamp = readStamp(dir);
  if (!stamp) return `no ${STAMP} (never compiled here, or its last compile failed)`;
  if (stamp.compiler !== compilerId()) return `the compiler changed (${stamp.compiler} before, ${compilerId()} now)`;
  if (!stamp.read || !stamp.wrote || Object.keys(stamp.wrote).length === 0) return `${STAMP} is incomplete`;
  for (const [file, hash] of Object.entries(stamp.read)) {
    const now = hashFile(resolve(dir, file));
    if (now !== hash) return hash === null ? `${file} appeared (the compile looked for it)` : now === null ? `${file} is gone` : `${file} changed`;
  }
  for (const [file, hash] of Object.entries(stamp.wrote)) {
    const now = hashFile(resolve(dir, file));
    if (now !== hash) return now === null ? `${file} is missing` : `${file} changed since it was compiled`;
  }
  return null;
}

/** Writes the stamp whole or not at all (a rename), after the module it describes. */
export function writeStamp(dir, { read, wrote }) {
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const path = join(dir, STAMP);
  const text = `${JSON.stringify({ compiler: compilerId(), read: sorted(read), wrote: sorted(wrote) }, null, 2)}\n`;
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
