/** A file that is not a box, or a damaged one: every tool refuses it in one line. */
export class BoxFormatError extends Error {
  override name = 'BoxFormatError';
}
