// Running a box on Node, with node:wasi as the host for its remaining
// wasi_snapshot_preview1 imports.

import { WASI } from 'node:wasi';
import { readManifest, BoxFormatError, decodeParts, findCustomSection, hasOwnFilesystem, hostImportNames, PARTS_SECTION, type Manifest } from '@marcotte/abi';
import { controlSurface, takeSnapshot, tellMemoryLimits } from './control.ts';
import { instantiateParts } from './dynamic.ts';
import { readTrace } from './trace.ts';
import { trapFrames } from './trap-frames.ts';
import { interruptible, INTERRUPT_EXPORT, LinkError, SINGLE_MEMORY_PAGES_EXPORT, wasiImportProblem } from '@marcotte/linker/runtime';
import { hasMultiMemory, MULTI_MEMORY_ADVICE } from './features.ts';
import { LimitError, StartError, TrapError } from './errors.ts';
import type { SocketChannel } from './socket-bridge.ts';
import { socketImports } from './socket-host.ts';
import { hostDirectories, preopenOrder } from './host-dirs.ts';
import { captureOutput, feedInput } from './stdio.ts';
import { confineHost } from './host-policy.ts';
import { capParts, capStaticBox, PAGE, type MemoryLimits } from './memory-budget.ts';
import { waitableHost } from './host-wait.ts';
import { waitingStdio } from './stdio-wait.ts';
import { hugePagePlan } from './huge-pages.ts';
import type { StdinChannel } from './stdin-channel.ts';
import { fstatSync, mkdtempSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { os, tty } from './node-builtins.ts';

export interface RunOptions {
  /** run-time args (argv[1..]); when empty the box's default args apply */
  args?: readonly string[];
  /** run-time environment; the host process's own environment is never passed */
  env?: Readonly<Record<string, string>>;
  /** host directories to preopen: guest path -> host path, in this order */
  dirs?: ReadonlyArray<readonly [guest: string, host: string]>;
  /** host fds for the box's stdio (default 0, 1, 2) */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** receives what the program writes to stdout (1) and stderr (2), in order, instead of the host fds */
  onOutput?: (fd: 1 | 2, bytes: Uint8Array) => void;
  /** what the program reads on stdin, then end of file, instead of the host fd */
  input?: Uint8Array;
  /** static (one multi-memory module) or dynamic (the parts wired in JS); default: static where the engine can */
  mode?: 'static' | 'dynamic';
  /**
   * cap every memory of the box together at this many bytes (memory-budget.ts: an elastic capability (the
   * vfs) gets a quarter, each other capability 1 MiB, the program the rest); a program that fails at its cap ends with LimitError
   */
  memoryLimit?: number;
  /** end the box (LimitError) once it has written more than this many bytes to stdout and stderr */
  maxOutput?: number;
  /** where to print the calls of a box linked with --trace (default: nowhere) */
  trace?: (line: string) => void;
  /** the host bridge's listening sockets (runBoxIsolated with publish): they follow the directory preopens */
  sockets?: SocketChannel;
  /** take the snapshot (the vfs's tree: abi controls.ts) when the program ends (exit, error exit or trap): RunResult.snapshot / TrapError.snapshot */
  snapshot?: boolean;
  /**
   * static mode: make the program's loops check an interrupt flag (linker's interruptible) and
   * hand over the flag's shared memory; once set, the run ends with LimitError('interrupted'),
   * with the snapshot when asked for
   */
  onInterruptible?: (flag: SharedArrayBuffer) => void;
  /** stdin as another thread reads it (stdin-channel.ts), instead of host fd 0 */
  stdinChannel?: StdinChannel;
}

export interface RunResult {
  exitCode: number;
  manifest: Manifest;
  /** the vfs's tree at the end of the run, as framed image segments (when asked for and the box has a capability with snapshots) */
  snapshot?: Uint8Array;
}


/** The box's manifest; a file that is not a box, or a newer one, cannot start. */
function startManifest(bytes: Uint8Array): Manifest {
  try {
    return readManifest(bytes);
  } catch (e) {
    if (e instanceof BoxFormatError) throw new StartError(e.message);
    throw e;
  }
}

/**
 * Which of box fds 0-2 (host fds `fds`, in order) are always ready: regular
 * files and devices that are not terminals (/dev/null), which epoll, and so
 * node:wasi, cannot wait on. Whether a character device is a terminal is
 * asked when poll_oneoff first needs it: node:tty loads node:net and the streams
 * (~3 ms of a run's start with stdio on /dev/null, which most runs never
 * poll). The answer is the one a look at start gives: the host's stdio fds
 * stay open on the same files for the whole run (the box cannot close or
 * renumber them: host-policy.ts).
 */
function alwaysReadyStdio(fds: readonly number[]): { has(fd: number): boolean } {
  const files = new Set<number>();
  const devices = new Map<number, number>(); // box fd -> host fd of a character device, not yet asked about
  fds.forEach((hostFd, fd) => {
    try {
      const st = fstatSync(hostFd);
      if (st.isFile() || st.isBlockDevice()) files.add(fd);
      else if (st.isCharacterDevice()) devices.set(fd, hostFd);
    } catch {
      // a closed fd: node:wasi answers for it
    }
  });
  return {
    has(fd) {
      const hostFd = devices.get(fd);
      if (hostFd !== undefined) {
        devices.delete(fd);
        if (!tty().isatty(hostFd)) files.add(fd);
      }
      return files.has(fd);
    },
  };
}

/** Compiles a box, checking its manifest and that this engine can run it. */
export async function loadBox(bytes: Uint8Array): Promise<{ module: WebAssembly.Module; manifest: Manifest }> {
  return compileBox(bytes, startManifest(bytes));
}

/** loadBox with the manifest of these very bytes already read (runBox has it: not parsed and checked twice). */
async function compileBox(bytes: Uint8Array, manifest: Manifest): Promise<{ module: WebAssembly.Module; manifest: Manifest }> {
  // A single-memory box needs no multi-memory (if its manifest lies, it fails to compile below).
  if (!hasMultiMemory() && !manifest.singleMemory) throw new StartError(MULTI_MEMORY_ADVICE);
  try {
    // A host function imported with other types than preview1's would misbehave in node:wasi (a BigInt exit code).
    const problem = wasiImportProblem(bytes);
    if (problem) throw new StartError(`the box does not follow preview1: ${problem}`);
    return { module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), manifest };
  } catch (e) {
    if (e instanceof StartError) throw e;
    throw new StartError(`the box does not compile: ${(e as Error).message}`);
  }
}

/**
 * A box with its own filesystem lets host directories in only at the mount
 * points declared at link time; the kernel would silently leave others out,
 * so say so before starting.
 */
function checkMounts(manifest: Manifest, dirs: RunOptions['dirs']): void {
  if (!hasOwnFilesystem(manifest)) return;
  const mounts = new Set((manifest.mountPoints ?? []).map((m) => m.replace(/\/+$/, '')));
  for (const [guest] of dirs ?? []) {
    const at = guest.replace(/\/+$/, '') || '/';
    if (!mounts.has(at)) {
      const declared = mounts.size ? `its mount points are ${[...mounts].join(', ')}` : 'it declares no mount points';
      throw new StartError(`--dir ${guest}: the box has its own filesystem and ${declared} (link it with --mount-point ${at})`);
    }
  }
}

/** node:wasi and the host layers a box runs against, and the memory they reach once it is instantiated. */
interface BoxHost {
  wasi: WASI;
  imports: Record<string, Record<string, (...a: unknown[]) => unknown>>;
  host: Record<string, (...a: unknown[]) => unknown>;
  dirs: ReturnType<typeof openHostDirectories>;
  flushSockets: () => void;
  /** the box's instance, set once it is made: every layer reads the program's memory through it */
  instance?: { exports: WebAssembly.Exports };
}

/** The host a box runs against: node:wasi wrapped by each layer in turn (stdio waits, host directories, sockets, output capture, the host policy). */
function hostFor(manifest: Manifest, options: RunOptions): BoxHost {
  // Host directories are served by our confined driver (host-dirs.ts), listeners by the bridge;
  // node:wasi hands out fds after its preopens: an empty, removed directory preopened
  // at each of their numbers keeps it from giving those numbers away.
  const hostDirs = preopenOrder(options.dirs ?? []);
  const slots = hostDirs.length + (options.sockets?.listeners ?? 0);
  const placeholder = slots ? mkdtempSync(join(os().tmpdir(), 'box-preopens-')) : undefined;
  const placeholders = Array.from({ length: slots }, (_, i) => [`/.box-preopen-${i}`, placeholder!] as const);
  const wasi = new WASI({
    version: 'preview1',
    args: [manifest.entrypoint, ...(options.args ?? [])],
    env: { ...options.env },
    preopens: Object.fromEntries(placeholders),
    returnOnExit: true,
    stdin: options.stdin ?? 0,
    stdout: options.stdout ?? 1,
    stderr: options.stderr ?? 2,
  });
  const imports = wasi.getImportObject() as Record<string, Record<string, (...a: unknown[]) => unknown>>;
  const host = imports.wasi_snapshot_preview1!;
  if (placeholder) rmdirSync(placeholder);
  const box = {} as BoxHost;
  const memory = () => box.instance!.exports.memory as WebAssembly.Memory;
  // EAGAIN on stdio (a description another process or libuv made non-blocking) waits, as a blocking fd would.
  Object.assign(host, waitingStdio(host, memory));
  // Sleeps and stdin reads wait where a worker's terminate() can end them (before the host
  // directories, whose poll_oneoff passes every other subscription on to this one).
  Object.assign(host, waitableHost(host, memory, options.stdinChannel, alwaysReadyStdio([options.stdin ?? 0, options.stdout ?? 1, options.stderr ?? 2])));
  const dirs = openHostDirectories(hostDirs, host, memory);
  Object.assign(host, dirs.imports);
  // What the box sent last must reach the main thread before the box ends.
  let flushSockets = (): void => {};
  if (options.sockets) {
    const sockets = socketImports(options.sockets, 3 + hostDirs.length, { ...host } as never, memory);
    Object.assign(host, sockets.imports);
    flushSockets = sockets.flush;
  }
  if (options.onOutput) host.fd_write = captureOutput(host.fd_write!.bind(host), options.onOutput, memory);
  if (options.input) host.fd_read = feedInput(host.fd_read!.bind(host), options.input, memory);
  // Last, so that its rules hold whatever the wrappers above do.
  confineHost(host, { memory, maxOutput: options.maxOutput });
  return Object.assign(box, { wasi, imports, host, dirs, flushSockets });
}

/** The box instantiated against `box`'s host, statically or from its parts (dynamic mode), with --memory applied. */
async function instantiateBox(bytes: Uint8Array, manifest: Manifest, options: RunOptions, dynamic: boolean, box: BoxHost): Promise<{
  instance: { exports: WebAssembly.Exports }; control: WebAssembly.Exports; interruptFlag?: Int32Array; programCap?: number;
}> {
  const { host, imports, dirs } = box;
  let instance: { exports: WebAssembly.Exports };
  let interruptFlag: Int32Array | undefined;
  let control: WebAssembly.Exports;
  let programCap: number | undefined;
  try {
    const pages = options.memoryLimit === undefined ? undefined : Math.floor(options.memoryLimit / PAGE);
    if (dynamic) {
      const section = findCustomSection(bytes, PARTS_SECTION);
      if (!section) throw new StartError('dynamic mode needs a portable box (link it with --portable)');
      let parts = decodeParts(section);
      // The parts' check merges them as the linker would: the whole linker, loaded in this mode alone.
      const { checkParts } = await import('@marcotte/linker');
      checkParts(bytes, parts, manifest);
      let limits: MemoryLimits = {};
      if (pages !== undefined) {
        const capped = capParts(parts, pages);
        parts = capped.parts;
        programCap = capped.programBytes;
        limits = capped.limits;
      }
      const { exports, capabilities } = await instantiateParts(parts, host, hostImportNames(bytes), options.trace);
      instance = { exports };
      control = controlSurface(capabilities);
      tellMemoryLimits(control, limits);
    } else {
      let runnable = bytes;
      let limits: MemoryLimits = {};
      if (pages !== undefined) {
        const capped = capStaticBox(bytes, pages);
        runnable = capped.bytes;
        programCap = capped.programBytes;
        limits = capped.limits;
      }
      // The interrupt flag is a second (shared) memory: where the engine has no multi-memory
      // (a single-memory box), a time limit ends the thread instead, without a snapshot.
      if (options.onInterruptible && hasMultiMemory()) runnable = interruptible(runnable);
      const compiling = runnable === bytes ? compileBox(bytes, manifest) : loadBox(runnable);
      // while V8 compiles the box on its own threads (awaited just below, before any rejection could go unhandled)
      const hugePages = hugePagePlan(runnable);
      const { module } = await compiling;
      instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
      // before the program runs: the vfs's file data then lands in huge pages from the first write
      hugePages?.apply(instance.exports);
      control = instance.exports;
      tellMemoryLimits(control, limits);
      const flag = instance.exports[INTERRUPT_EXPORT] as WebAssembly.Memory | undefined;
      if (flag) {
        interruptFlag = new Int32Array(flag.buffer);
        options.onInterruptible?.(flag.buffer as unknown as SharedArrayBuffer);
      }
    }
  } catch (e) {
    dirs.close();
    if (e instanceof StartError) throw e;
    if (e instanceof LinkError || e instanceof BoxFormatError) throw new StartError(e.message);
    throw new StartError(`the box cannot be instantiated: ${(e as Error).message}`);
  }
  box.instance = instance;
  return { instance, control, interruptFlag, programCap };
}

/** The confined driver over the host directories; a directory that cannot be opened cannot start the box. */
function openHostDirectories(dirs: Array<[string, string]>, host: Record<string, (...a: unknown[]) => unknown>, memory: () => WebAssembly.Memory) {
  try {
    return hostDirectories(dirs, { ...host } as never, memory);
  } catch (e) {
    throw new StartError(`--dir: cannot open a host directory: ${(e as Error).message}`);
  }
}

/** Runs a box to completion and returns its exit code. Traps become TrapError. */
export async function runBox(bytes: Uint8Array, options: RunOptions = {}): Promise<RunResult> {
  const manifest = startManifest(bytes);
  checkMounts(manifest, options.dirs);
  // A portable box without recorded traces is traced in dynamic mode, where the JS wiring sees every call.
  const wantsJsTrace = options.trace !== undefined && !manifest.trace && manifest.portable === true;
  const dynamic = options.mode === 'dynamic' || (options.mode === undefined && manifest.portable === true && (!hasMultiMemory() || wantsJsTrace));
  const box: BoxHost = hostFor(manifest, options);
  const { wasi, dirs, flushSockets } = box;
  // The program's own share of --memory, in bytes (atMemoryCap).
  const { instance, control, interruptFlag, programCap } = await instantiateBox(bytes, manifest, options, dynamic, box);
  // Printed right after the run, whatever ends it: the last calls before a trap are the useful ones.
  const printTrace = () => {
    if (options.trace) for (const line of readTrace(manifest, instance.exports)) options.trace(line);
  };
  // A program that fails with its memory near the cap was ended by the limit: allocators grow in
  // chunks, so the last, failed request leaves up to a chunk unused (taken as 1 MiB or an eighth).
  const atMemoryCap = () => {
    if (programCap === undefined) return false;
    const memory = instance!.exports.memory as WebAssembly.Memory;
    // A single-memory box's program sees only its own pages (box.app.pages), not the whole memory.
    const pages = instance!.exports[SINGLE_MEMORY_PAGES_EXPORT] as WebAssembly.Global | undefined;
    const used = pages ? ((pages.value as number) >>> 0) * PAGE : memory.buffer.byteLength;
    return programCap - used < Math.max(1 << 20, programCap / 8);
  };
  const memoryLimitError = () => new LimitError(`memory limit of ${options.memoryLimit} bytes reached`);
  // What the program wrote before a limit ended it is not lost either: no capability is mid-call then.
  const withSnapshot = (e: LimitError) => {
    if (options.snapshot) e.snapshot = takeSnapshot(control)?.bytes;
    return e;
  };
  try {
    let exitCode: number;
    try {
      if (instance.exports._start) exitCode = wasi.start(instance as WebAssembly.Instance);
      else {
        wasi.initialize(instance as WebAssembly.Instance);
        exitCode = 0;
      }
    } finally {
      flushSockets();
      dirs.close();
    }
    printTrace();
    if (exitCode !== 0 && atMemoryCap()) throw withSnapshot(memoryLimitError());
    const snapshot = options.snapshot ? takeSnapshot(control)?.bytes : undefined;
    return { exitCode, manifest, snapshot };
  } catch (e) {
    if (e instanceof LimitError) throw withSnapshot(e);
    printTrace();
    if (e instanceof WebAssembly.RuntimeError && atMemoryCap()) throw withSnapshot(memoryLimitError());
    // The host set the flag: the program stopped between two iterations of one of its own loops.
    if (e instanceof WebAssembly.RuntimeError && interruptFlag && Atomics.load(interruptFlag, 0) !== 0) throw withSnapshot(new LimitError('interrupted'));
    if (e instanceof WebAssembly.RuntimeError) {
      // The capabilities' memories are intact after a trap in the program: what it wrote is not lost.
      const trap = new TrapError(`the box trapped: ${e.message}${trapFrames(e)}`, { cause: e });
      if (options.snapshot) trap.snapshot = takeSnapshot(control)?.bytes;
      throw trap;
    }
    throw e;
  }
}
