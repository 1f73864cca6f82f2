// The unmerged parts of a portable box (custom section "box.parts",
// DESIGN.md §2): what an engine without multi-memory needs to run the same
// box in dynamic mode, each module instantiated on its own and wired in JS.
//
// Layout: u32 header length, the header as JSON, then the blobs the header
// points into (offsets from the end of the header).

import { BoxFormatError } from './box.ts';
import { frameWithHeader } from './bytes.ts';

export const PARTS_SECTION = 'box.parts';

export interface CapabilityParts {
  name: string;
  wasm: Uint8Array;
  /** box:config segments */
  config: Uint8Array[];
  /** preview1 functions it serves to the program */
  provides: string[];
  init?: string;
  /** imports from capabilities that are not linked, with their result types, answered with zeros */
  stubs: Array<{ module: string; name: string; results: string[] }>;
}

export interface BoxParts {
  program: Uint8Array;
  capabilities: CapabilityParts[];
  /** host functions the box may not call (--deny, --sealed): they answer ENOSYS */
  denied: string[];
}

interface Header {
  program: [number, number];
  capabilities: Array<Omit<CapabilityParts, 'wasm' | 'config'> & { wasm: [number, number]; config: Array<[number, number]> }>;
  denied: string[];
}

export function encodeParts(parts: BoxParts): Uint8Array {
  const blobs: Uint8Array[] = [];
  let size = 0;
  const add = (b: Uint8Array): [number, number] => {
    blobs.push(b);
    size += b.length;
    return [size - b.length, b.length];
  };
  const header: Header = {
    program: add(parts.program),
    capabilities: parts.capabilities.map((c) => ({ ...c, wasm: add(c.wasm), config: c.config.map(add) })),
    denied: parts.denied,
  };
  return frameWithHeader(header, blobs);
}

/** Why the parts cannot be read (a damaged box), as one line. */
function malformed(why: string): BoxFormatError {
  return new BoxFormatError(`the box's ${PARTS_SECTION} section is malformed: ${why}`);
}

export function decodeParts(bytes: Uint8Array): BoxParts {
  if (bytes.length < 4) throw malformed('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  if (length > bytes.length - 4) throw malformed('its header runs past its end');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as Header;
  } catch {
    throw malformed('its header is not valid JSON');
  }
  const base = 4 + length;
  const blob = (range: unknown): Uint8Array => {
    const [at, len] = Array.isArray(range) ? (range as unknown[]) : [];
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(len) || (at as number) < 0 || (len as number) < 0 || base + (at as number) + (len as number) > bytes.length) {
      throw malformed('a part lies outside the section');
    }
    return bytes.subarray(base + (at as number), base + (at as number) + (len as number));
  };
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof header !== 'object' || header === null || !Array.isArray(header.capabilities) || !strings(header.denied)) throw malformed('its header lacks fields');
  return {
    program: blob(header.program),
    capabilities: header.capabilities.map((c) => {
      if (typeof c !== 'object' || c === null || typeof c.name !== 'string' || !Array.isArray(c.config) || !strings(c.provides) || !Array.isArray(c.stubs) ||
        (c.init !== undefined && typeof c.init !== 'string')) {
        throw malformed('a capability entry lacks fields');
      }
      const stub = (s: unknown) => typeof s === 'object' && s !== null && typeof (s as Record<string, unknown>).module === 'string' &&
        typeof (s as Record<string, unknown>).name === 'string' && strings((s as Record<string, unknown>).results);
      if (!c.stubs.every(stub)) throw malformed(`capability ${c.name}'s stubs lack fields`);
      return { ...c, wasm: blob(c.wasm), config: c.config.map(blob) };
    }),
    denied: header.denied,
  };
}
