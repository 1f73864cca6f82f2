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
/**
 * The counts V8 accepts (its decoder refuses more as soon as it reads the count). This reader runs
 * before V8 has validated the module, on the untrusted bytes: without them a forged count over a
 * long section made it allocate per entry, 25 s and 2.4 GB for a 64 MB box, a heap abort at 256 MB.
 */
const MAX_IMPORTS = 1_000_000;
const MAX_EXPORTS = 1_000_000;
const MAX_MEMORIES = 100_000;

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

/**
 * A name's bytes as text, each byte a character: the names looked for are ASCII (a non-ASCII name
 * comes out mangled, then names no export and is left alone; windows-1252, which the WHATWG calls
 * latin1, maps no byte above 0x7f to ASCII). A long one in one native decode: a name is as long as
 * the box wants, and a character at a time 60 MB took 20 s and 2 GB.
 */
function ascii(bytes: Uint8Array, at: number, end: number): string {
  const name = bytes.subarray(at, end);
  if (name.length <= 64) return String.fromCharCode.apply(null, name as unknown as number[]);
  latin1 ??= new TextDecoder('latin1');
  return latin1.decode(name);
}
let latin1: TextDecoder | undefined;

/** Skips a name, returning where its bytes start (decoding every import and export name cost ~0.5 ms of a run's start). */
function skipName(r: SectionReader): number {
  const len = r.u32();
  const at = r.at;
  if (at + len > r.end) r.fail('name runs past its section');
  r.at += len;
  return at;
}

/**
 * Each exported memory's type, by export name, for the names `wanted` accepts (all by default: a
 * module may export up to a million memories' names, and only a few are looked for). A malformed
 * module, or one with more imports, exports or memories than V8 accepts, throws BoxFormatError.
 */
export function exportedMemoryTypes(bytes: Uint8Array, wanted: (name: string) => boolean = () => true): Map<string, MemoryType> {
  const memories: MemoryType[] = []; // the memory index space: imported memories first
  const exported = new Map<string, MemoryType>();
  for (const s of sections(bytes)) {
    if (s.id !== IMPORT && s.id !== MEMORY && s.id !== EXPORT) continue;
    const r = new SectionReader(bytes, s.start, s.end);
    const count = r.u32();
    if (count > (s.id === IMPORT ? MAX_IMPORTS : s.id === EXPORT ? MAX_EXPORTS : MAX_MEMORIES)) r.fail(`more entries than an engine accepts (${count})`);
    for (let n = count; n > 0; n--) {
      if (memories.length > MAX_MEMORIES) r.fail('more memories than an engine accepts');
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
        if (kind !== 2 || !type) continue;
        const name = ascii(bytes, at, end);
        if (wanted(name)) exported.set(name, type);
      }
    }
    if (s.id === EXPORT) break;
  }
  return exported;
}
