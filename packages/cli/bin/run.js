// Shared by the two bin scripts: quiets node:wasi's experimental-feature
// notice (noise to box users), then loads the bundled CLI.
import module from 'node:module';
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
  emitWarning(warning, ...rest);
};

/** Runs the CLI as `program` and ends the process with its exit code. */
export async function run(program) {
  // V8's compile of the bundle, kept on disk between runs (Node >= 22.1): every start after the first skips it.
  module.enableCompileCache?.();
  const { main, endProcess } = await import('../dist/cli.js');
  endProcess(await main(program, process.argv.slice(2)));
}
