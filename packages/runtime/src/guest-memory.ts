// The program's memory as the host driver reads and writes it: every access
// is bounds-checked and a pointer outside the memory is EFAULT, never a trap
// or a host exception. Views are taken afresh on each access, since growing
// the memory replaces its buffer.

import { ERRNO_FAULT } from '@marcotte/abi';
import { WasiError } from './host-errno.ts';

export class GuestMemory {
  private readonly memory: () => WebAssembly.Memory;

  constructor(memory: () => WebAssembly.Memory) {
    this.memory = memory;
  }

  /** `len` bytes at `ptr`, as a live view (writes reach the program). */
  bytes(ptr: number, len: number): Uint8Array {
    const buffer = this.memory().buffer;
    ptr >>>= 0;
    len >>>= 0;
    if (ptr + len > buffer.byteLength) throw new WasiError(ERRNO_FAULT);
    return new Uint8Array(buffer, ptr, len);
  }

  private view(ptr: number, len: number): DataView {
    const b = this.bytes(ptr, len);
    return new DataView(b.buffer, b.byteOffset, len);
  }

  u32(ptr: number): number {
    return this.view(ptr, 4).getUint32(0, true);
  }

  setU32(ptr: number, value: number): void {
    this.view(ptr, 4).setUint32(0, value, true);
  }

  setU64(ptr: number, value: bigint): void {
    this.view(ptr, 8).setBigUint64(0, BigInt.asUintN(64, value), true);
  }

  /** A copy of `len` bytes at `ptr` (a path: the host must not see it change mid-call). */
  copy(ptr: number, len: number): Buffer {
    return Buffer.from(this.bytes(ptr, len));
  }

  /** The buffers an iovec array names, checked before any is used. */
  iovecs(ptr: number, count: number): Uint8Array[] {
    const list = this.view(ptr, (count >>> 0) * 8);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count >>> 0; i++) out.push(this.bytes(list.getUint32(i * 8, true), list.getUint32(i * 8 + 4, true)));
    return out;
  }
}
