// Tiny byte-level builders for hand-assembled test modules. `pad` widens a
// LEB to n bytes so tests can feed the reader non-minimal encodings.

export type Bytes = number[];

export function u32(v: number, pad = 0): Bytes {
  const out: Bytes = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0 || out.length + 1 < pad) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  while (out.length < pad) out.push(out.length + 1 < pad ? 0x80 : 0x00);
  return out;
}

export function s32(v: number | bigint): Bytes {
  let x = BigInt(v);
  const out: Bytes = [];
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export function str(s: string): Bytes {
  const b = [...new TextEncoder().encode(s)];
  return [...u32(b.length), ...b];
}

export function vec(items: Bytes[], padCount = 0): Bytes {
  return [...u32(items.length, padCount), ...items.flat()];
}

export function section(id: number, body: Bytes, padSize = 0): Bytes {
  return [id, ...u32(body.length, padSize), ...body];
}

export function custom(name: string, payload: Bytes): Bytes {
  return section(0, [...str(name), ...payload]);
}

export function wasm(...sections: Bytes[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}

/** One code-section entry. */
export function func(locals: Array<[number, number]>, body: Bytes): Bytes {
  const b = [...vec(locals.map(([n, t]) => [...u32(n), t])), ...body];
  return [...u32(b.length), ...b];
}

export function f32(x: number): Bytes {
  const d = new DataView(new ArrayBuffer(4));
  d.setFloat32(0, x, true);
  return [...new Uint8Array(d.buffer)];
}

export function f64(x: number): Bytes {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, x, true);
  return [...new Uint8Array(d.buffer)];
}

export function hex(b: Uint8Array | Bytes): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}
