// RUN: the named WASI program from the current image, linked with the vfs
// over that image (plus proc, and a fixed clock and seeded random so that
// the same inputs give the same layer), run in a worker; the vfs snapshot
// at its end, diffed against the image before it, is the step's layer.
// Nothing passes through to the host but stdio.

import { closeSync, openSync } from 'node:fs';
import { selectCapabilities, type CapabilityDescriptor } from '@marcotte/abi';
import { link } from '@marcotte/linker';
import { LimitError, runBoxIsolated, StartError, TrapError } from '@marcotte/runtime';
import { readSnapshot } from '@marcotte/vfs';
import { InputError, RunFailure } from './errors.ts';
import { diff, joinPath, resolveFrom, type Layer, type Tree } from './tree.ts';

export interface RunIo {
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

/** The program a command names: a path (from the workdir) or a name looked up in PATH; undefined when none is a file. */
export function findProgram(tree: Tree, name: string, path: string, workdir: string): { path: string; real: string } | undefined {
  const candidates = name.includes('/') ? [resolveFrom(workdir, name)] : path.split(':').filter((d) => d.startsWith('/')).map((d) => joinPath(resolveFrom('/', d), name));
  for (const c of candidates) {
    const real = tree.resolve(c);
    if (real !== undefined && tree.get(real)?.type === 'file') return { path: c, real };
  }
  return undefined;
}

export interface RunStep {
  argv: readonly string[];
  env: readonly string[];
  workdir: string;
  tree: Tree;
  capabilities: readonly CapabilityDescriptor[];
  epoch: bigint;
  io: RunIo;
  timeoutMs: number;
  /** how messages name the step ("RUN [...]") */
  describe: string;
  /** where a RUN says what the user should know (a workdir its program cannot start in) */
  note?: (text: string) => void;
}

function rfc3339(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace(/\.\d+Z$/, 'Z');
}

export async function runStep(step: RunStep): Promise<Layer> {
  const env = new Map(step.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const found = findProgram(step.tree, step.argv[0]!, env.get('PATH') ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', step.workdir);
  if (!found) throw new InputError(`${step.describe}: ${step.argv[0]} is not a file in the image`);
  const program = step.tree.get(found.real)!.data ?? new Uint8Array(0);
  if (program.length < 8 || program[0] !== 0 || program[1] !== 0x61 || program[2] !== 0x73 || program[3] !== 0x6d) {
    throw new InputError(`${step.describe}: ${found.path} is not a WebAssembly program`);
  }
  const image = step.tree.flatten();
  const clock = `fixed:${rfc3339(step.epoch)}`;
  // The vfs over the image, proc for argv and env whatever the program imports, a fixed clock and seeded random.
  const capabilities = selectCapabilities(step.capabilities, { options: { image, proc: true, clock, random: 'seed:0' } });
  const hasClock = capabilities.some((c) => c.name === 'clock');
  let bytes: Uint8Array;
  let warnings: string[];
  try {
    ({ bytes, warnings } = link(program, {
      capabilities, entrypoint: found.path, args: step.argv.slice(1), env: step.env, image, programName: found.path,
      ...(step.workdir !== '/' ? { workdir: step.workdir } : {}),
      ...(hasClock ? { clock, random: 'seed:0' } : {}),
      deny: ['fs', 'net', 'clock', 'random'],
    }));
  } catch (e) {
    throw new InputError(`${step.describe}: ${(e as Error).message}`);
  }
  for (const w of warnings) step.note?.(`${step.describe}: ${w}`);
  const devNull = step.io.stdin === undefined ? openSync('/dev/null', 'r') : undefined;
  let result: Awaited<ReturnType<typeof runBoxIsolated>>;
  try {
    result = await runBoxIsolated(bytes, {
      snapshot: true, timeoutMs: step.timeoutMs,
      stdin: step.io.stdin ?? devNull!, stdout: step.io.stdout ?? 2, stderr: step.io.stderr ?? 2,
    });
  } catch (e) {
    if (e instanceof LimitError) throw new RunFailure(`${step.describe}: ${e.message}`);
    if (e instanceof TrapError) throw new RunFailure(`${step.describe}: ${e.message}`);
    if (e instanceof StartError) throw new RunFailure(`${step.describe}: the box cannot start: ${e.message}`);
    throw e;
  } finally {
    if (devNull !== undefined) closeSync(devNull);
  }
  if (result.exitCode !== 0) throw new RunFailure(`${step.describe} exited with ${result.exitCode}`);
  if (!result.snapshot) throw new RunFailure(`${step.describe}: the box gave no filesystem snapshot`);
  return diff(step.tree, readSnapshot(result.snapshot));
}
