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
