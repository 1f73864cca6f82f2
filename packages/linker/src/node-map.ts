// Maps and sets keyed by a merge's function nodes: dense numbers below a
// bound known in advance (each part's functions, then the glue), plus the
// names of host imports. The numbers live in typed arrays rather than a Map:
// a large program has tens of thousands of functions, and a hash table that
// size, regrown as it fills, costs more than the reachability walk it serves.

/** A set of nodes (numbers below `size`) and host import names. */
export class NodeSet {
  private readonly nodes: Uint8Array;
  private readonly names = new Set<string>();

  constructor(size: number) {
    this.nodes = new Uint8Array(size);
  }

  has(n: number | string): boolean {
    return typeof n === 'string' ? this.names.has(n) : this.nodes[n] === 1;
  }

  add(n: number | string): void {
    if (typeof n === 'string') this.names.add(n);
    else this.nodes[n] = 1;
  }
}

/** Node or host import name -> index in the box; iterates names first, then nodes in order (as they are set). */
export class NodeIndex {
  private readonly nodes: Int32Array;
  private readonly names = new Map<string, number>();

  constructor(size: number) {
    this.nodes = new Int32Array(size).fill(-1);
  }

  get(n: number | string): number | undefined {
    if (typeof n === 'string') return this.names.get(n);
    const at = this.nodes[n];
    return at === undefined || at < 0 ? undefined : at;
  }

  set(n: number | string, at: number): void {
    if (typeof n === 'string') this.names.set(n, at);
    else this.nodes[n] = at;
  }

  /** Copies the indices of nodes first .. first + count - 1 (-1: none) into `out` from `at`. */
  copyNodes(first: number, count: number, out: Int32Array, at: number): void {
    out.set(this.nodes.subarray(first, first + count), at);
  }

  /** The host import names alone, with their indices (no walk over the nodes: a large program has tens of thousands). */
  hostNames(): IterableIterator<[string, number]> {
    return this.names.entries();
  }

  *[Symbol.iterator](): IterableIterator<[number | string, number]> {
    yield* this.names;
    for (let n = 0; n < this.nodes.length; n++) if (this.nodes[n]! >= 0) yield [n, this.nodes[n]!];
  }
}
