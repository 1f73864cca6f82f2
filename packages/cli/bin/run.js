// Shared by the two bin scripts: quiets node:wasi's experimental-feature
// notice (noise to box users), then loads the bundled CLI.
// Through getBuiltinModule: an ES import of node:module builds its facade (7 ms of start-up; build.mjs says more).
const module = process.getBuiltinModule?.('node:module') ?? (await import('node:module')).default;

// V8 compiles the bundle once and keeps the code in Node's cache (the OS temp
// folder, or NODE_COMPILE_CACHE): later starts skip the compile. The one place it is enabled.
module.enableCompileCache?.();

const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
  emitWarning(warning, ...rest);
};

/** Texts the build wrote beside the bundle (build.mjs) for `box --version` and `box --help` alone. */
const PRINTED = { '--version': 'version.txt', '--help': 'help.txt', '-h': 'help.txt' };

/**
 * Prints the file the build wrote for `box ARG` when ARG is the only argument
 * and has one: no bundle to load (the ES loader and the capability modules
 * were ~20 ms of `box --version`). False when there is none.
 */
function printedText(program, args) {
  const name = program === 'box' && args.length === 1 && Object.hasOwn(PRINTED, args[0]) ? PRINTED[args[0]] : undefined;
  if (!name) return false;
  const fs = process.getBuiltinModule?.('node:fs');
  let text;
  try {
    text = fs?.readFileSync(new URL(`../dist/${name}`, import.meta.url));
  } catch {
    return false; // a dist without it: the bundle prints it
  }
  if (!text) return false;
  let done = 0;
  try {
    while (done < text.length) done += fs.writeSync(1, text, done);
  } catch (e) {
    // A reader gone (EPIPE), a full disk, no stdout: nothing more to say, as the bundle's console.log says
    // nothing (a stream write now would only raise its error later, unhandled: a stack trace and exit 1).
    if (e?.code !== 'EAGAIN') return true;
    // EAGAIN on a non-blocking pipe: the rest goes as console.log would send it, its errors ignored as there
    process.stdout.once('error', () => {});
    process.stdout.write(text.subarray(done));
  }
  return true;
}

/** Runs the CLI as `program` and ends the process with its exit code. */
export async function run(program) {
  const args = process.argv.slice(2);
  if (printedText(program, args)) return;
  // `box run` has a bundle of its own, one module instead of the CLI's chunks (build.mjs).
  const { main, endProcess } = program === 'box' && args[0] === 'run' ? await import('../dist/box-run.js') : await import('../dist/cli.js');
  endProcess(await main(program, args));
}
