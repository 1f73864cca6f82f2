// The type of each memory a module exports, read from its section headers,
// import, memory and export sections alone (WebAssembly.Memory tells JS
// neither its maximum nor its index type): huge-pages.ts advises by them.

import { importDescriptor, memoryLimits, SectionReader, sections, type MemoryLimits } from '@marcotte/abi';

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
/**
 * The counts V8 accepts (its decoder refuses more as soon as it reads the count). This reader runs
 * before V8 has validated the module, on the untrusted bytes: without them a forged count over a
 * long section made it allocate per entry, 25 s and 2.4 GB for a 64 MB box, a heap abort at 256 MB.
 */
const MAX_IMPORTS = 1_000_000;
const MAX_EXPORTS = 1_000_000;
const MAX_MEMORIES = 100_000;

/** A memory's type from its limits (abi sections.ts reads them, for the import check too). */
function typeOf(l: MemoryLimits): MemoryType {
  return { maxBytes: l.max === undefined ? undefined : l.max * l.pageBytes, shared: l.shared, memory64: l.memory64 };
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
        memories.push(typeOf(memoryLimits(r)));
      } else if (s.id === IMPORT) {
        skipName(r);
        skipName(r);
        const limits = importDescriptor(r, r.byte());
        if (limits) memories.push(typeOf(limits));
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
