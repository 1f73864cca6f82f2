// Build errors carry where they come from (Dockerfile:LINE) and the exit
// code DESIGN.md §5 gives them: 2 for bad input, 1 for a failed RUN.

export class BuildError extends Error {
  override name = 'BuildError';
  readonly exitCode: 1 | 2;
  /** the message begins with `file:line:`, which names where it comes from (tools print it bare, as compilers do) */
  readonly located: boolean;
  constructor(message: string, exitCode: 1 | 2 = 2, located = false) {
    super(message);
    this.exitCode = exitCode;
    this.located = located;
  }
}

/** `file:line: message`, the one line a bad Dockerfile gets. */
export function at(file: string, line: number, message: string, exitCode: 1 | 2 = 2): BuildError {
  return new BuildError(`${file}:${line}: ${message}`, exitCode, true);
}

/** Bad input found below the instruction level (a missing file, a path out of the context): the step adds file:line. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A RUN program failed (exit code, trap, time limit): the build fails with exit 1. */
export class RunFailure extends Error {
  override name = 'RunFailure';
}
