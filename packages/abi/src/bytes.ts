// Byte-array helpers every layer needs (no Node built-ins: the browser runtime uses them too).

/** The parts, one after another, in one array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The framing box.parts and build layers use: u32 length of a JSON header,
 * the header, then the blobs it points into (offsets from the header's end).
 */
export function frameWithHeader(header: unknown, blobs: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, json.length, true);
  return concat([length, json, ...blobs]);
}
