// A vfs snapshot (the `snapshot` export of vfs.wasm, published in a box as
// `box.vfs.snapshot`) and what a host does with one: read it back as image
// entries or write it as a tar archive (snapshot-dir.ts writes it to a host
// directory). Portable: nothing here needs Node.
//
// Bytes: u32 segment count, then per segment a u32 length and the segment,
// little-endian; the segments are exactly what encodeImage writes, so a
// snapshot is an image: readSnapshot + encodeImage gives it back unchanged.

import { concat, type ImageEntry } from '@marcotte/abi';
import { decodeImage } from './image.ts';

/** Splits a snapshot's bytes into its segments (views into `bytes`). */
export function snapshotSegments(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new Error('vfs snapshot is truncated');
  const count = view.getUint32(0, true);
  const out: Uint8Array[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw new Error('vfs snapshot is truncated');
    const len = view.getUint32(at, true);
    at += 4;
    if (at + len > bytes.length) throw new Error('vfs snapshot is truncated');
    out.push(bytes.subarray(at, at + len));
    at += len;
  }
  return out;
}

/** Frames segments as a snapshot (the inverse of snapshotSegments). */
export function frameSegments(segments: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(4 + segments.reduce((n, s) => n + 4 + s.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, segments.length, true);
  let at = 4;
  for (const s of segments) {
    view.setUint32(at, s.length, true);
    out.set(s, at + 4);
    at += 4 + s.length;
  }
  return out;
}

/** The tree a snapshot holds, as image entries (hard links share one data object). */
export function readSnapshot(bytes: Uint8Array): ImageEntry[] {
  return decodeImage(snapshotSegments(bytes));
}

type SnapshotExport = () => bigint;

/**
 * Calls a vfs instance's own snapshot export and copies the bytes out of
 * its memory (tests and tools that instantiate the vfs module alone). A
 * box's control surface is read through @marcotte/runtime's takeSnapshot,
 * which finds the capability by its protocol.
 */
export function takeSnapshotBytes(exports: WebAssembly.Exports, memory: WebAssembly.Memory): Uint8Array {
  const fn = exports.snapshot as SnapshotExport | undefined;
  if (typeof fn !== 'function') throw new Error('no vfs snapshot export');
  const result = BigInt.asUintN(64, fn());
  if (result === 0n) throw new Error('vfs snapshot failed: the vfs memory cannot grow');
  // Copied: the vfs reuses the buffer on its next snapshot.
  return new Uint8Array(memory.buffer, Number(result & 0xffff_ffffn), Number(result >> 32n)).slice();
}

/** Calls a vfs instance's snapshot export and decodes the result. */
export function takeSnapshot(exports: WebAssembly.Exports, memory: WebAssembly.Memory): ImageEntry[] {
  return readSnapshot(takeSnapshotBytes(exports, memory));
}

const encoder = new TextEncoder();

function octal(block: Uint8Array, at: number, len: number, value: number): void {
  const text = value.toString(8).padStart(len - 1, '0');
  if (text.length > len - 1) throw new Error(`tar field too small for ${value}`);
  block.set(encoder.encode(text), at);
}

function paxRecord(key: string, value: string): Uint8Array {
  const body = encoder.encode(` ${key}=${value}\n`);
  // The length counts its own digits.
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return encoder.encode(`${len} ${key}=${value}\n`);
}

function tarHeader(name: string, type: string, size: number, mode: number, mtime: number, link = ''): Uint8Array {
  const block = new Uint8Array(512);
  block.set(encoder.encode(name).subarray(0, 100), 0);
  octal(block, 100, 8, mode & 0o7777);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, mtime);
  block[156] = type.charCodeAt(0);
  block.set(encoder.encode(link).subarray(0, 100), 157);
  block.set(encoder.encode('ustar\0'), 257);
  block.set(encoder.encode('00'), 263);
  block.fill(0x20, 148, 156);
  const sum = block.reduce((n, b) => n + b, 0);
  block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return block;
}

function padded(data: Uint8Array): Uint8Array[] {
  const pad = (512 - (data.length % 512)) % 512;
  return pad ? [data, new Uint8Array(pad)] : [data];
}

/**
 * A ustar archive of the entries (pax records for names and link targets
 * over 100 bytes and for sub-second mtimes). Entries sharing a data object
 * are hard links: the first is a file, the others link to it.
 */
export function snapshotToTar(entries: readonly ImageEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const firstPath = new Map<Uint8Array, string>();
  for (const e of entries) {
    if (e.path === '/') continue;
    const name = e.path.slice(1) + (e.type === 'dir' ? '/' : '');
    let type = e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0';
    let link = e.type === 'symlink' ? e.target! : '';
    let data = e.type === 'file' ? (e.data ?? new Uint8Array(0)) : new Uint8Array(0);
    if (e.type === 'file' && e.data) {
      const first = firstPath.get(e.data);
      if (first !== undefined) {
        type = '1';
        link = first;
        data = new Uint8Array(0);
      } else {
        firstPath.set(e.data, e.path.slice(1));
      }
    }
    const mtimeNs = e.mtime ?? 0n;
    const records: Uint8Array[] = [];
    if (encoder.encode(name).length > 100) records.push(paxRecord('path', name));
    if (encoder.encode(link).length > 100) records.push(paxRecord('linkpath', link));
    if (mtimeNs % 1_000_000_000n !== 0n) {
      const frac = (mtimeNs % 1_000_000_000n).toString().padStart(9, '0');
      records.push(paxRecord('mtime', `${mtimeNs / 1_000_000_000n}.${frac}`));
    }
    if (records.length > 0) {
      const body = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
      let at = 0;
      for (const r of records) {
        body.set(r, at);
        at += r.length;
      }
      parts.push(tarHeader('PaxHeader', 'x', body.length, 0o644, 0), ...padded(body));
    }
    const mode = e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644);
    parts.push(tarHeader(name, type, data.length, mode, Number(mtimeNs / 1_000_000_000n), link), ...padded(data));
  }
  parts.push(new Uint8Array(1024));
  return concat(parts);
}
