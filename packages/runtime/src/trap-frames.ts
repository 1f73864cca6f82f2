// What a trap's message says of where it happened: the innermost Wasm frames
// of the engine's stack. No Node imports: the browser's worker uses it too.

/**
 * The innermost Wasm frames of a trap, by the names the linker merged into
 * the box's name section ("kernel:fd_write", the program's own names); a
 * function without one (a capability's internals) by its index in the box.
 */
export function trapFrames(e: Error): string {
  const frames = [...(e.stack ?? '').matchAll(/^\s*at (?:(.+?) \(wasm:\/\/|wasm:\/\/\S*?:wasm-function\[(\d+)\])/gm)]
    .map((m) => m[1] ?? `function ${m[2]}`).slice(0, 4);
  return frames.length ? ` in ${frames.join(' <- ')}` : '';
}
