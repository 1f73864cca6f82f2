// --single-memory and --program-memory, options of box-link and box build:
// the box's capability memories laid into memory 0 (linker single-memory.ts).

import { flag, parseSize, UsageError, value, type OptionSpec, type Parsed } from './args.ts';

/** The options' help, descriptions starting at `column` as the command's other options do. */
export function singleMemoryHelp(column: number): string {
  const pad = (s: string) => `  ${s}`.padEnd(column);
  const indent = ' '.repeat(column);
  return `${pad('--single-memory')}one memory: capability memories laid into memory 0 above the
${indent}program's region, so engines without multi-memory (Node 20, wazero, jco) run
${indent}the box; the program's loads and stores are bounds-checked against its own
${indent}size (DESIGN.md §2.7)
  --program-memory SIZE
${indent}with --single-memory: the program's memory limit (default its declared
${indent}maximum, else 1g; k, m, g)`;
}

export const SINGLE_MEMORY_SPECS: OptionSpec[] = [{ name: 'single-memory' }, { name: 'program-memory', value: true }];

/** The options given, as link options. */
export function singleMemoryOptions(command: string, args: Parsed): { singleMemory?: true; programMemory?: number } {
  const single = flag(args, 'single-memory');
  const text = value(args, 'program-memory');
  if (text === undefined) return single ? { singleMemory: true } : {};
  if (!single) throw new UsageError(`${command}: --program-memory is only for a --single-memory box`);
  const bytes = parseSize(command, '--program-memory', text);
  if (!Number.isSafeInteger(bytes) || bytes < 65536 || bytes > 2 ** 32) throw new UsageError(`${command}: --program-memory must be from 65536 to 4294967296, got ${bytes}`);
  return { singleMemory: true, programMemory: bytes };
}
