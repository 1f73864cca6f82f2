// A u64 -> u32 table without removal, for the vfs's bookkeeping (image hard-link
// groups, the snapshot's link counts). One small open-addressing table instead
// of a ~lib/map instantiation per key and value type: those cost ~2 KB of code
// each, and every byte of the vfs is in every box.

const EMPTY: u64 = 0;

export class Table {
  /** key, value + 1 pairs (value + 1 == 0: free slot); a power of two pairs long */
  slots: StaticArray<u64> = new StaticArray<u64>(16);
  count: i32 = 0;

  /** The value stored for `key`, or -1. */
  get(key: u64): i64 {
    const mask = (this.slots.length >>> 1) - 1;
    let k = hash(key) & mask;
    while (true) {
      const v = unchecked(this.slots[(k << 1) + 1]);
      if (v == EMPTY) return -1;
      if (unchecked(this.slots[k << 1]) == key) return <i64>(v - 1);
      k = (k + 1) & mask;
    }
  }

  set(key: u64, value: u32): void {
    if ((this.count + 1) << 2 > this.slots.length) this.grow();
    const mask = (this.slots.length >>> 1) - 1;
    let k = hash(key) & mask;
    while (true) {
      const v = unchecked(this.slots[(k << 1) + 1]);
      if (v == EMPTY) {
        this.count++;
        break;
      }
      if (unchecked(this.slots[k << 1]) == key) break;
      k = (k + 1) & mask;
    }
    unchecked(this.slots[k << 1] = key);
    unchecked(this.slots[(k << 1) + 1] = <u64>value + 1);
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new StaticArray<u64>(old.length << 1);
    this.count = 0;
    for (let k = 0; k < old.length; k += 2) {
      const v = unchecked(old[k + 1]);
      if (v != EMPTY) this.set(unchecked(old[k]), <u32>(v - 1));
    }
  }
}

@inline function hash(key: u64): i32 {
  // Fibonacci hashing: inode addresses and entry numbers are far from random.
  return <i32>((key * 0x9e3779b97f4a7c15) >>> 32);
}
