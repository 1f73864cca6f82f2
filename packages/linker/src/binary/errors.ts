/** Thrown for any malformed input; `offset` is the absolute byte offset in the
 * module (or in the expression, plus the base the caller passed). */
export class WasmFormatError extends Error {
  readonly offset: number;
  readonly detail: string;
  /** the section being read, when known */
  readonly section: string | undefined;

  constructor(detail: string, offset: number, section?: string) {
    super(`malformed wasm at 0x${offset.toString(16)}${section ? ` in the ${section} section` : ''}: ${detail}`);
    this.name = 'WasmFormatError';
    this.offset = offset;
    this.detail = detail;
    this.section = section;
  }

  /** The same error, saying which section it was found in. */
  inSection(section: string): WasmFormatError {
    return this.section ? this : new WasmFormatError(this.detail, this.offset, section);
  }
}
