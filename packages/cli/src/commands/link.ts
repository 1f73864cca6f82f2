import { basename } from 'node:path';
import { denyError } from '@marcotte/abi';
import { parseClockMode, parseRandomMode } from '@marcotte/clock';
import { parsePort } from '@marcotte/net';
import { flag, keyValue, parseArgs, UsageError, value, values, type OptionSpec } from '../args.ts';
import { linkTo } from '../link-api.ts';
import { checkWritable, readInput, writeOutputFrom } from '../io.ts';
import { readImage } from '../image-input.ts';
import { VFS_LIMIT_SPECS, VFS_LIMITS_HELP, vfsLimits } from '../vfs-limits.ts';
import { SINGLE_MEMORY_SPECS, singleMemoryHelp, singleMemoryOptions } from '../single-memory.ts';

const LINK_SPECS: OptionSpec[] = [
  { name: 'fs' },
  { name: 'image', value: true },
  { name: 'workdir', value: true },
  { name: 'mount-point', value: true, multiple: true },
  { name: 'proc' },
  { name: 'net' },
  { name: 'listen', value: true, multiple: true },
  { name: 'clock', value: true },
  { name: 'random', value: true },
  { name: 'env', value: true, multiple: true },
  { name: 'strip' },
  { name: 'sealed' },
  { name: 'portable' },
  { name: 'trace' },
  { name: 'deny', value: true, multiple: true },
  { name: 'o', short: 'o', value: true },
  { name: 'help', short: 'h' },
  ...VFS_LIMIT_SPECS,
  ...SINGLE_MEMORY_SPECS,
];

export const LINK_HELP = `Usage: box-link [OPTIONS] APP.wasm [-- ARGS...]

Links a WASI preview1 program with capability modules into one .box.wasm.

Options:
  --fs             link the vfs: an in-memory filesystem inside the box (implied by --image,
                   --workdir and the vfs limits below)
  --image DIR|TAR  the filesystem image: a host directory or a tar file, baked into the box
  --workdir PATH   the working directory inside the box: created, recorded, and where the program
                   starts when it carries wasi-libc's chdir in its name section
  --mount-point P  where box run --dir HOST:P may put a host directory (repeatable; implies --fs)
  --net            link the net driver: sockets behind the kernel's fd table (implied by --listen)
  --listen PORT    the box serves on PORT: a preopened listening socket after the directories
                   (repeatable, in this order; box run -p HOST:PORT connects a host port to it)
  --proc           virtualize argv and environment (implied by --env and ARGS)
  --clock MODE     host | fixed:<RFC 3339 time> | offset:<duration such as -90s, +2h, 1d>
  --random MODE    host | seed:<unsigned 64-bit decimal> (ChaCha20: the same bytes on every run)
  --env K=V        bake an environment variable (repeatable; run-time -e overrides)
  --sealed         bake argv and env for good: the box imports only fd_write, fd_read, proc_exit
  --deny CAP       import nothing for CAP (fs, net, proc, clock, random): its calls answer ENOSYS
  --strip          drop every custom section but the manifest (names, debug info)
  --portable       also embed the unmerged parts: engines without multi-memory run the box in dynamic mode
  --trace          record every WASI call the program makes (box run --trace prints them)
${singleMemoryHelp(19)}
  -o FILE          output file (default: APP with .box.wasm in place of .wasm)
  -h, --help       show this help

${VFS_LIMITS_HELP}

ARGS after -- become the box's default arguments (replaced by run-time args).
The kernel is always linked: it owns the fd table and serves stdio and host
directories (box run --dir). Calls no capability serves pass through to the host.`;



export async function linkCommand(argv: readonly string[], command = 'box-link'): Promise<number> {
  const args = parseArgs(command, argv, LINK_SPECS, Infinity);
  if (flag(args, 'help')) {
    console.log(LINK_HELP);
    return 0;
  }
  if (args.positionals.length !== 1) {
    throw new UsageError(`${command}: expected one APP.wasm, got ${args.positionals.length} (see ${command} --help)`);
  }
  const appPath = args.positionals[0]!;
  const env = values(args, 'env').map((kv) => keyValue(command, '--env', kv));
  const imagePath = value(args, 'image');
  const workdir = value(args, 'workdir');
  if (workdir !== undefined && !workdir.startsWith('/')) throw new UsageError(`${command}: --workdir must be an absolute path, got ${JSON.stringify(workdir)}`);
  const mountPoints = values(args, 'mount-point');
  for (const m of mountPoints) {
    if (!m.startsWith('/') || m === '/') throw new UsageError(`${command}: --mount-point must be an absolute path below /, got ${JSON.stringify(m)}`);
  }
  const listen = values(args, 'listen').map((p) => {
    const port = parsePort(p);
    if (port === undefined) throw new UsageError(`${command}: --listen expects a port number from 1 to 65535, got ${JSON.stringify(p)}`);
    return port;
  });
  if (new Set(listen).size !== listen.length) throw new UsageError(`${command}: --listen: each port may be given once`);
  const clockMode = value(args, 'clock');
  const randomMode = value(args, 'random');
  for (const [option, mode, parse] of [['--clock', clockMode, parseClockMode], ['--random', randomMode, parseRandomMode]] as const) {
    try {
      if (mode !== undefined) parse(mode);
    } catch (e) {
      throw new UsageError(`${command}: ${option} ${mode}: ${(e as Error).message}`);
    }
  }
  const deny = values(args, 'deny');
  const denyProblem = denyError(deny);
  if (denyProblem) throw new UsageError(`${command}: ${denyProblem}`);
  const out = value(args, 'o') ?? appPath.replace(/(\.wasm)?$/, '.box.wasm');
  checkWritable(command, out);
  const limits = vfsLimits(command, args);
  const single = singleMemoryOptions(command, args);
  const program = await readInput(command, appPath);
  const image = imagePath === undefined ? undefined : await readImage(command, imagePath);
  // The program's WebAssembly.validate runs here, on this thread, between the linker's read
  // and its merge: V8 already spreads a validation over its own worker threads (this thread
  // joins them), so a Node worker for it only added its start-up and a second copy of the
  // program (bench/README.md, "Fourth round"). The output file is opened at the box's first
  // bytes, after everything that can refuse the program: a refused one leaves it untouched.
  // The box is written as it is made: a large box is never held whole in memory.
  const { warnings } = writeOutputFrom(command, out, (sink) => linkTo(program, {
    entrypoint: basename(appPath), args: args.rest, env, programName: appPath, deny,
    fs: flag(args, 'fs'), net: flag(args, 'net'), proc: flag(args, 'proc'),
    sealed: flag(args, 'sealed'), strip: flag(args, 'strip'), portable: flag(args, 'portable'), trace: flag(args, 'trace'),
    image, workdir, ...(mountPoints.length ? { mountPoints } : {}), ...(listen.length ? { listen } : {}),
    clock: clockMode, random: randomMode, vfsLimits: limits, ...single,
  }, sink));
  for (const w of warnings) process.stderr.write(`${command}: ${w}\n`);
  return 0;
}
