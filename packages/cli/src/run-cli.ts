// How a command's outcome becomes the CLI's exit code (DESIGN.md §5): every
// error is one readable line on stderr and the code the design gives it.
// Shared by the whole CLI (main.ts) and by `box run`'s own bundle
// (run-entry.ts), so the two cannot map an error differently.

import { BoxFormatError } from '@marcotte/abi';
import { hasMultiMemory, MULTI_MEMORY_ADVICE } from '@marcotte/runtime/features';
import { LimitError, SignalError, StartError, TrapError } from '@marcotte/runtime/errors';
import { UsageError } from './args.ts';

export type Command = 'box' | 'box-link';

/** Runs the command `argv` names and returns its exit code. */
export type Dispatch = (program: Command, argv: readonly string[]) => Promise<number>;

/**
 * Runs `dispatch` for the command line and returns its exit code; writes
 * errors to stderr as one line.
 */
export async function runCli(program: Command, argv: readonly string[], dispatch: Dispatch): Promise<number> {
  const isRun = program === 'box' && argv[0] === 'run';
  const wantsHelp = argv.some((a) => a === '--help' || a === '-h' || a === '--version');
  // `box run` decides for itself: a --portable box runs in dynamic mode without multi-memory.
  // `box serve` runs no box in this engine: the browser's is what counts.
  const isServe = program === 'box' && argv[0] === 'serve';
  if (!wantsHelp && !isRun && !isServe && !hasMultiMemory()) {
    console.error(`${program}: ${MULTI_MEMORY_ADVICE}`);
    return 125;
  }
  try {
    return await dispatch(program, argv);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof UsageError) {
      console.error(message);
      return isRun ? 125 : 2;
    }
    const name = isRun ? 'box run' : program === 'box-link' ? 'box-link' : `box ${argv[0]}`;
    if (e instanceof StartError) {
      console.error(`${name}: ${message}`);
      return 125;
    }
    if (e instanceof SignalError) return e.exitCode;
    if (e instanceof LimitError) {
      console.error(`${name}: ${message}`);
      return 137;
    }
    if (e instanceof TrapError) {
      console.error(`${name}: ${message}`);
      return 134;
    }
    // The linker is loaded by the commands that link; its errors only matter when one was thrown.
    const { LinkError, WasmFormatError } = await import('@marcotte/linker');
    if (e instanceof LinkError || e instanceof WasmFormatError) {
      console.error(`${name}: ${message}`);
      return 2;
    }
    if (e instanceof BoxFormatError) {
      // a damaged box (manifest or parts) that a command met past its own checks: bad input
      console.error(`${name}: ${message}`);
      return isRun ? 125 : 2;
    }
    console.error(`${name}: internal error: ${message}`);
    return isRun ? 125 : 1;
  }
}
