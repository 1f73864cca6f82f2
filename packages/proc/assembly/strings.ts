// A list of NUL-terminated byte strings in one growable buffer: the form
// args_get and environ_get hand to the program.

export class StringList {
  /** Start of each string within `bytes`, as offsets. */
  starts: usize = 0;
  count: u32 = 0;
  capacity: u32 = 0;
  bytes: usize = 0;
  length: u32 = 0;
  bytesCapacity: u32 = 0;

  /** Appends the NUL-terminated string at `src` (its length without the NUL is `len`). */
  push(src: usize, len: u32): void {
    if (this.count == this.capacity) {
      const cap: u32 = this.capacity == 0 ? 8 : this.capacity * 2;
      const starts = heap.alloc(<usize>cap << 2);
      if (this.starts != 0) memory.copy(starts, this.starts, <usize>this.count << 2);
      this.starts = starts;
      this.capacity = cap;
    }
    const need = this.length + len + 1;
    if (need > this.bytesCapacity) {
      let cap: u32 = this.bytesCapacity == 0 ? 256 : this.bytesCapacity * 2;
      while (cap < need) cap *= 2;
      const bytes = heap.alloc(<usize>cap);
      if (this.bytes != 0) memory.copy(bytes, this.bytes, this.length);
      this.bytes = bytes;
      this.bytesCapacity = cap;
    }
    store<u32>(this.starts + (<usize>this.count << 2), this.length);
    memory.copy(this.bytes + this.length, src, len);
    store<u8>(this.bytes + this.length + len, 0);
    this.length = need;
    this.count++;
  }

  at(i: u32): usize {
    return this.bytes + load<u32>(this.starts + (<usize>i << 2));
  }

  /** Index of the "KEY=..." entry with the same key as `entry`, or -1. */
  findKey(entry: usize): i32 {
    const keyLen = key_length(entry);
    for (let i: u32 = 0; i < this.count; i++) {
      const other = this.at(i);
      if (key_length(other) == keyLen && memory.compare(other, entry, keyLen) == 0) return <i32>i;
    }
    return -1;
  }

  /** Replaces entry i by the string at src, keeping the order. */
  replace(i: u32, src: usize, len: u32): void {
    const old = new StringList();
    for (let j: u32 = 0; j < this.count; j++) {
      if (j == i) old.push(src, len);
      else {
        const s = this.at(j);
        old.push(s, strlen(s));
      }
    }
    this.starts = old.starts;
    this.count = old.count;
    this.capacity = old.capacity;
    this.bytes = old.bytes;
    this.length = old.length;
    this.bytesCapacity = old.bytesCapacity;
  }
}

export function strlen(s: usize): u32 {
  let n: u32 = 0;
  while (load<u8>(s + n) != 0) n++;
  return n;
}

/** Length of the key of a "KEY=VALUE" string (the whole string when it has no '='). */
function key_length(s: usize): u32 {
  let n: u32 = 0;
  while (true) {
    const c = load<u8>(s + n);
    if (c == 0 || c == 0x3d) return n;
    n++;
  }
}
