#!/usr/bin/env node
// node:wasi announces itself as experimental on every run; that line is noise to box users.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
  emitWarning(warning, ...rest);
};

const { main } = await import('../dist/cli.js');
process.exitCode = await main('box', process.argv.slice(2));
