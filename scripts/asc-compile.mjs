// Compiles one package's AssemblyScript module through asc's API, in this
// process: the package's asconfig.json gives the entries and options (asc
// reads it itself, relative to --baseDir), every file asc reads and writes
// goes through the hooks below, and the stamp records them (asc-stamp.mjs).
// Loading asc costs about 1.4 s of CPU (Binaryen is a 10 MB module), so a
// process that compiles several packages loads it once.
//
// A compile that fails leaves neither a module nor a stamp: the stale module
// and its stamp are removed before asc starts, and asc's output is kept in
// memory and written only when the compile succeeded, stamp last.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import asc from 'assemblyscript/asc';
import { STAMP, sha256, stampedOutputs, stampKey, writeStamp } from './asc-stamp.mjs';

/** The outFile the package's asconfig.json names, if it can be read (to remove a stale module). */
function configuredOutput(dir) {
  try {
    const outFile = JSON.parse(readFileSync(join(dir, 'asconfig.json'), 'utf8')).options?.outFile;
    return typeof outFile === 'string' ? [resolve(dir, outFile)] : [];
  } catch {
    return [];
  }
}

/**
 * Compiles the package in `dir` (absolute). Returns { ok, stderr, summary }: asc's own
 * report (diagnostics) and one line saying what happened.
 */
export async function compile(dir) {
  rmSync(join(dir, STAMP), { force: true });
  for (const stale of new Set([...stampedOutputs(dir), ...configuredOutput(dir)])) rmSync(stale, { force: true });

  const read = {};
  const outputs = new Map();
  const stderr = asc.createMemoryStream();
  const hooks = {
    stdout: asc.createMemoryStream(),
    stderr,
    async readFile(name, baseDir) {
      const path = resolve(baseDir, name);
      try {
        const bytes = await readFile(path);
        read[stampKey(dir, path)] = sha256(bytes);
        return bytes.toString('utf8');
      } catch (e) {
        if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') throw new Error(`cannot read ${path}: ${e.code ?? e.message}`);
        read[stampKey(dir, path)] ??= null;
        return null;
      }
    },
    writeFile(name, contents, baseDir) {
      outputs.set(resolve(baseDir, name), contents);
    },
    listFiles() {
      // only asconfig's "lib" lists directories; the stamp records files, not listings
      throw new Error('"lib" (a directory of library files) is not supported: the stamp could not tell when it changes');
    },
  };

  const started = performance.now();
  let error;
  try {
    ({ error } = await asc.main(['--baseDir', dir], hooks));
  } catch (e) {
    error = e;
  }
  const said = stderr.toString();
  if (error) return { ok: false, stderr: said, summary: error.message.split('\n')[0] };
  if (outputs.size === 0) return { ok: false, stderr: said, summary: 'asc wrote nothing (does asconfig.json name an outFile?)' };

  const wrote = {};
  for (const [path, contents] of outputs) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, contents);
    wrote[stampKey(dir, path)] = sha256(contents);
  }
  writeStamp(dir, { read, wrote });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return { ok: true, stderr: said, summary: `compiled ${Object.keys(wrote).join(', ')} in ${seconds} s` };
}
