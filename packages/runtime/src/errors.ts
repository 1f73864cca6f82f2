/** The box could not start (bad box, bad flags, missing engine feature): `box run` exits 125. */
export class StartError extends Error {
  override name = 'StartError';
}

/** The program trapped: `box run` exits 134. */
export class TrapError extends Error {
  override name = 'TrapError';
  /** the vfs snapshot taken after the trap, when the run asked for one */
  snapshot?: Uint8Array | undefined;
}

/** A run limit ended the box: `box run` exits 137. */
export class LimitError extends Error {
  override name = 'LimitError';
  /** the vfs snapshot taken when the memory or output limit ended the run, when asked for (a time limit leaves none) */
  snapshot?: Uint8Array | undefined;
}

/** A signal ended the box: `box run` exits 128 + the signal number (130 for SIGINT, 143 for SIGTERM). */
export class SignalError extends Error {
  override name = 'SignalError';
  readonly exitCode: number;
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`ended by ${signal}`);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}
