// The scan kernel in a browser bundle: none (a browser bundle reads no
// files, and the web host links no boxes); copyValidated scans in JavaScript.

export function wasm(): Uint8Array | undefined {
  return undefined;
}
