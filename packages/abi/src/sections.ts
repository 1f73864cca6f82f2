// Walking a WebAssembly binary by its section headers, with every length
// checked against the file: what the tools need to read a box (its custom
// sections, its imports) without decoding its code.

import { BoxFormatError } from './errors.ts';

/** The magic number and version 1 every core module starts with. */
export function isWasmModule(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d
    && bytes[4] === 1 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0;
}

/** A cursor over `bytes[at..end)` that throws BoxFormatError instead of reading past `end`. */
export class SectionReader {
  readonly bytes: Uint8Array;
  at: number;
  readonly end: number;

  constructor(bytes: Uint8Array, at: number, end: number) {
    this.bytes = bytes;
    this.at = at;
    this.end = end;
  }

  fail(why: string): never {
    throw new BoxFormatError(`malformed module: ${why} at byte ${this.at}`);
  }

  byte(): number {
    if (this.at >= this.end) this.fail('unexpected end');
    return this.bytes[this.at++]!;
  }

  /** An unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let v = 0, shift = 0, b: number;
    do {
      if (shift > 28) this.fail('integer too long');
      b = this.byte();
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  }

  /** An unsigned LEB128 of up to 64 bits, as a number (exact up to 2^53: more than any engine allows). */
  u64(): number {
    let v = 0, scale = 1, b: number;
    do {
      if (scale > 2 ** 63) this.fail('integer too long');
      b = this.byte();
      v += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return v;
  }

  /** A length-prefixed UTF-8 name. */
  name(): string {
    const len = this.u32();
    if (this.at + len > this.end) this.fail('name runs past its section');
    const text = new TextDecoder('utf-8', { fatal: true });
    try {
      return text.decode(this.bytes.subarray(this.at, (this.at += len)));
    } catch {
      return this.fail('name is not UTF-8');
    }
  }
}

export interface Section {
  id: number;
  /** the payload: bytes[start..end) */
  start: number;
  end: number;
}

/** Every section of a module, in order; a header that runs past the file is refused. */
export function* sections(bytes: Uint8Array): Generator<Section> {
  if (!isWasmModule(bytes)) throw new BoxFormatError('not a WebAssembly module (bad magic number)');
  const r = new SectionReader(bytes, 8, bytes.length);
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.at;
    if (start + size > bytes.length) throw new BoxFormatError('section runs past the end of the file');
    r.at = start + size;
    yield { id, start, end: start + size };
  }
}

/** The payload of the first custom section named `name`; undefined when there is none. */
export function findCustomSection(bytes: Uint8Array, name: string): Uint8Array | undefined {
  for (const s of sections(bytes)) {
    if (s.id !== 0) continue;
    const r = new SectionReader(bytes, s.start, s.end);
    let own: string;
    try {
      own = r.name();
    } catch {
      continue;
    }
    if (own === name) return bytes.subarray(r.at, s.end);
  }
  return undefined;
}

export interface Import {
  module: string;
  name: string;
  /** 0 function, 1 table, 2 memory, 3 global, 4 tag */
  kind: number;
}

const IMPORT_SECTION = 2;

/** The module's imports, read from its import section alone. */
export function moduleImports(bytes: Uint8Array): Import[] {
  const imports: Import[] = [];
  for (const s of sections(bytes)) {
    if (s.id !== IMPORT_SECTION) continue;
    const r = new SectionReader(bytes, s.start, s.end);
    for (let n = r.u32(); n > 0; n--) {
      const module = r.name();
      const name = r.name();
      const kind = r.byte();
      imports.push({ module, name, kind });
      // Skip the descriptor: only the names and kinds are authority.
      importDescriptor(r, kind);
    }
  }
  return imports;
}

/** A memory's limits as the binary spells them. */
export interface MemoryLimits {
  /** the declared maximum in pages; undefined when there is none */
  max?: number;
  /** 64 KiB unless a custom page size says otherwise */
  pageBytes: number;
  shared: boolean;
  /** a 64-bit memory (memory64) */
  memory64: boolean;
}

const PAGE_BYTES = 65536;

/**
 * Limits, as a memory section's entry or a memory or table import spells them: flags (bit 0 a
 * maximum, bit 1 shared, bit 2 64-bit, bit 3 a memory's custom page size as its log), minimum, maximum.
 */
export function memoryLimits(r: SectionReader): MemoryLimits {
  const flags = r.byte();
  r.u64();
  const max = flags & 1 ? r.u64() : undefined;
  const pageBytes = flags & 8 ? 2 ** r.u32() : PAGE_BYTES;
  return { max, pageBytes, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
}

/** Skips an import's descriptor (`kind`: 0 function, 1 table, 2 memory, 3 global, 4 tag); a memory's limits are returned. */
export function importDescriptor(r: SectionReader, kind: number): MemoryLimits | undefined {
  if (kind === 0) r.u32();
  else if (kind === 1) {
    valType(r);
    memoryLimits(r);
  } else if (kind === 2) return memoryLimits(r);
  else if (kind === 3) {
    valType(r);
    r.byte();
  } else if (kind === 4) {
    r.byte();
    r.u32();
  } else r.fail(`unknown import kind ${kind}`);
  return undefined;
}

function valType(r: SectionReader): void {
  const t = r.byte();
  // Reference types with a heap type (0x63/0x64) carry it as a signed LEB.
  if (t === 0x63 || t === 0x64) while (r.byte() & 0x80);
}
