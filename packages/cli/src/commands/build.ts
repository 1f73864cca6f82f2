import { basename, resolve } from 'node:path';
import { denyError } from '@marcotte/abi';
import { build, BuildError, formatBytes, progressFor } from '@marcotte/builder';
import { flag, keyValue, parseArgs, parseSize, UsageError, value, values, type OptionSpec } from '../args.ts';
import { CAPABILITIES } from '../capabilities.ts';
import { checkWritable, writeOutput } from '../io.ts';
import { VFS_LIMIT_SPECS, VFS_LIMITS_HELP, vfsLimits } from '../vfs-limits.ts';
import { singleMemoryHelp, SINGLE_MEMORY_SPECS, singleMemoryOptions } from '../single-memory.ts';

export const BUILD_HELP = `Usage: box build [OPTIONS] CONTEXT

Builds a box from a Dockerfile: FROM scratch, a .box.wasm, a Wasm OCI image
(oci-archive:FILE[:TAG], oci:DIR[:TAG]) or an earlier stage;
COPY/ADD from the context; RUN of WASI programs in the image; ENTRYPOINT/CMD
name the box's program.

Options:
  -f FILE            the Dockerfile (default CONTEXT/Dockerfile)
  -o FILE            output box (default: CONTEXT's name with .box.wasm, here)
  --build-arg K=V    set a build argument declared with ARG (repeatable)
  --deny CAP         the box may not have CAP (fs, net, proc, clock, random)
  --cache-dir DIR    where layers are cached (default $XDG_CACHE_HOME/marcotte)
  --no-cache         build every layer afresh and store none
  --max-unpack SIZE  the most ADD may unpack from archives in this build, all
                     together, such as 512m (default 256m; more is refused:
                     a gzip bomb stops there)
${singleMemoryHelp(21)}
  -h, --help         show this help

${VFS_LIMITS_HELP}

Progress goes to stderr: updating lines on a terminal, plain lines in CI
(CI=true) or a pipe. RUN programs' output goes to stderr too.
Exit status: 0 built; 1 a RUN failed; 2 bad input (Dockerfile:LINE: message).`;

const SPECS: OptionSpec[] = [
  { name: 'file', short: 'f', value: true },
  { name: 'o', short: 'o', value: true },
  { name: 'build-arg', value: true, multiple: true },
  { name: 'deny', value: true, multiple: true },
  { name: 'cache-dir', value: true },
  { name: 'no-cache' },
  { name: 'max-unpack', value: true },
  { name: 'help', short: 'h' },
  ...VFS_LIMIT_SPECS,
  ...SINGLE_MEMORY_SPECS,
];

export async function buildCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs('box build', argv, SPECS, Infinity);
  if (flag(args, 'help')) {
    console.log(BUILD_HELP);
    return 0;
  }
  if (args.positionals.length !== 1 || args.rest.length > 0) {
    throw new UsageError(`box build: expected one CONTEXT directory, got ${args.positionals.length + args.rest.length} (see box build --help)`);
  }
  const context = args.positionals[0]!;
  const buildArgs: Record<string, string> = {};
  for (const kv of values(args, 'build-arg')) {
    keyValue('box build', '--build-arg', kv);
    buildArgs[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
  }
  const deny = values(args, 'deny');
  const denyProblem = denyError(deny);
  if (denyProblem) throw new UsageError(`box build: ${denyProblem}`);
  const limits = vfsLimits('box build', args);
  const single = singleMemoryOptions('box build', args);
  const noCache = flag(args, 'no-cache');
  const cacheDir = value(args, 'cache-dir');
  const out = value(args, 'o') ?? `${basename(resolve(context))}.box.wasm`;
  checkWritable('box build', out);
  const maxUnpackText = value(args, 'max-unpack');
  const maxUnpack = maxUnpackText === undefined ? undefined : parseSize('box build', '--max-unpack', maxUnpackText);
  if (maxUnpack !== undefined && !(maxUnpack > 0 && Number.isSafeInteger(maxUnpack))) throw new UsageError(`box build: --max-unpack expects a positive size such as 512m, got ${JSON.stringify(maxUnpackText)}`);
  try {
    const result = await build({
      context, capabilities: CAPABILITIES, buildArgs, deny, progress: progressFor(process.stderr),
      vfsLimits: limits, ...single, dockerfile: value(args, 'file'), cacheDir: noCache ? null : cacheDir, maxUnpack,
    });
    await writeOutput('box build', out, result.bytes);
    const reuse = result.layers.length === 0 ? '' : result.cached ? '; every layer from the cache' : '';
    console.error(`box build: wrote ${out} (${formatBytes(result.bytes.length)}, ${result.layers.length} layer${result.layers.length === 1 ? '' : 's'}${reuse})`);
    return 0;
  } catch (e) {
    if (e instanceof BuildError) {
      // A Dockerfile:LINE message is located already; any other gets the tool's name, like every other error.
      console.error(e.located ? e.message : `box build: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
