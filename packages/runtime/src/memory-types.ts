// The type of each memory a module exports, read from its section headers,
// import, memory and export sections alone (WebAssembly.Memory tells JS
// neither its maximum nor its index type): huge-pages.ts advises by them.

import { SectionReader, sections } from '@marcotte/abi';

export interface MemoryType {
  /** the declared maximum in bytes; undefined when there is none */
  maxBytes?: number;
  shared: boolean;
  /** a 64-bit memory (memory64) */
  memory64: boolean;
}

const IMPORT = 2;
const MEMORY = 5;
const EXPORT = 7;
const PAGE = 65536;

/** Limits as the binary spells them: flags (bit 0 a maximum, bit 1 shared, bit 2 64-bit, bit 3 a custom page size), minimum, maximum. */
function limits(r: SectionReader): MemoryType {
  const flags = r.byte();
  const memory64 = (flags & 4) !== 0;
  const shared = (flags & 2) !== 0;
  leb(r);
  const max = flags & 1 ? leb(r) : undefined;
  // a custom page size is a power of two given as its log; pages of 64 KiB otherwise
  const pageBytes = flags & 8 ? 2 ** r.u32() : PAGE;
  return { maxBytes: max === undefined ? undefined : max * pageBytes, shared, memory64 };
}

/** An unsigned LEB128 of up to 64 bits, as a number (exact up to 2^53: more pages than any engine allows). */
function leb(r: SectionReader): number {
  let v = 0, scale = 1, b: number;
  do {
    if (scale > 2 ** 63) r.fail('integer too long');
    b = r.byte();
    v += (b & 0x7f) * scale;
    scale *= 128;
  } while (b & 0x80);
  return v;
}

/** Skips an import's descriptor; a memory's is its type. */
function importDescriptor(r: SectionReader, kind: number): MemoryType | undefined {
  if (kind === 0) r.u32();
  else if (kind === 1) {
    const t = r.byte();
    if (t === 0x63 || t === 0x64) while (r.byte() & 0x80);
    const flags = r.byte();
    leb(r);
    if (flags & 1) leb(r);
  } else if (kind === 2) return limits(r);
  else if (kind === 3) {
    const t = r.byte();
    if (t === 0x63 || t === 0x64) while (r.byte() & 0x80);
    r.byte();
  } else if (kind === 4) {
    r.byte();
    r.u32();
  } else r.fail(`unknown import kind ${kind}`);
  return undefined;
}

/** A name's bytes as text, each byte a character: the names looked for are ASCII (a non-ASCII name comes out mangled, then names no export and is left alone). */
function ascii(bytes: Uint8Array, at: number, end: number): string {
  let text = '';
  for (let i = at; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** Skips a name, returning where its bytes start (decoding every import and export name cost ~0.5 ms of a run's start). */
function skipName(r: SectionReader): number {
  const len = r.u32();
  const at = r.at;
  if (at + len > r.end) r.fail('name runs past its section');
  r.at += len;
  return at;
}

/** Each exported memory's type, by export name. A malformed module throws BoxFormatError. */
export function exportedMemoryTypes(bytes: Uint8Array): Map<string, MemoryType> {
  const memories: MemoryType[] = []; // the memory index space: imported memories first
  const exported = new Map<string, MemoryType>();
  for (const s of sections(bytes)) {
    if (s.id !== IMPORT && s.id !== MEMORY && s.id !== EXPORT) continue;
    const r = new SectionReader(bytes, s.start, s.end);
    for (let n = r.u32(); n > 0; n--) {
      if (s.id === MEMORY) {
        memories.push(limits(r));
      } else if (s.id === IMPORT) {
        skipName(r);
        skipName(r);
        const type = importDescriptor(r, r.byte());
        if (type) memories.push(type);
      } else {
        const at = skipName(r);
        const end = r.at;
        const kind = r.byte();
        const type = memories[r.u32()];
        if (kind === 2 && type) exported.set(ascii(bytes, at, end), type);
      }
    }
    if (s.id === EXPORT) break;
  }
  return exported;
}
