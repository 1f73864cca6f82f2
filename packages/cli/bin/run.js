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

/** Runs the CLI as `program` and ends the process with its exit code. */
export async function run(program) {
  const { main, endProcess } = await import('../dist/cli.js');
  endProcess(await main(program, process.argv.slice(2)));
}
