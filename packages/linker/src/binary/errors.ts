/** Thrown for any malformed input; `offset` is the absolute byte offset in the
 * module (or in the expression, plus the base the caller passed). */
export class WasmFormatError extends Error {
  readonly offset: number;
  readonly detail: string;

  constructor(detail: string, offset: number) {
    super(`malformed wasm at 0x${offset.toString(16)}: ${detail}`);
    this.name = 'WasmFormatError';
    this.offset = offset;
    this.detail = detail;
  }
}
