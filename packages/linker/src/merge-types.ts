// The box's type section: each distinct function type once, in first-use
// order. A part's types do not keep their indices in the box (the host
// imports' types come first, equal types merge), so a typed reference inside
// one, (ref null? $t) of the function-references proposal, names a type of
// its own part: it is mapped to the box's index of that type before the type
// is compared or kept. Without that the box's type would name whatever type
// the part's index lands on in the box, and the box would not compile.

import { heapTypeOf, withHeap } from './binary/code.ts';
import type { FuncType, ValType } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { funcTypeKey } from './signature.ts';

/**
 * Stands for the type being interned in its own references while it is compared:
 * a type may name itself (a rec group of one), and its box index is known only
 * once it is interned. No box has this many types (engines stop at a million).
 */
const SELF = 0xffffffff;

export class BoxTypes {
  readonly types: FuncType[] = [];
  private readonly index = new Map<string, number>();

  /** The box index of `t`, whose typed references (if any) already name box types. */
  intern(t: FuncType): number {
    const key = funcTypeKey(t);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.types.length;
      this.index.set(key, i);
      this.types.push(t);
    }
    return i;
  }

  /**
   * The box index of each of a part's types, in order. A type may name only
   * the types before it and itself (what engines accept for types outside a
   * rec group, and the linker reads no rec groups); `who` names the part when
   * one names a later type.
   */
  internPart(types: readonly FuncType[], who: string): number[] {
    const mapped: number[] = [];
    types.forEach((t, j) => {
      // Most types have no typed reference: interned as they are, so their boxes stay byte for byte what they were.
      if (!hasTypedRef(t)) {
        mapped.push(this.intern(t));
        return;
      }
      let self = false;
      const toBox = (v: ValType): ValType => {
        const heap = heapTypeOf(v);
        if (heap === undefined || heap < 0) return v;
        if (heap === j) self = true;
        else if (heap > j) throw new LinkError(`${who}: type ${j} refers to type ${heap}, defined after it`);
        return withHeap(v, heap === j ? SELF : mapped[heap]!);
      };
      const boxed: FuncType = { params: t.params.map(toBox), results: t.results.map(toBox) };
      if (!self) {
        mapped.push(this.intern(boxed));
        return;
      }
      // Compared with SELF in place of itself (an equal self-referring type merges with it), kept naming its own index.
      const key = funcTypeKey(boxed);
      let i = this.index.get(key);
      if (i === undefined) {
        i = this.types.length;
        this.index.set(key, i);
        const own = (v: ValType): ValType => (heapTypeOf(v) === SELF ? withHeap(v, i!) : v);
        this.types.push({ params: boxed.params.map(own), results: boxed.results.map(own) });
      }
      mapped.push(i);
    });
    return mapped;
  }
}

/** Whether a value type of `t` is a reference with a heap type (0x63/0x64 ht), abstract or not. */
function hasTypedRef(t: FuncType): boolean {
  for (const v of t.params) if (v >= 256) return true;
  for (const v of t.results) if (v >= 256) return true;
  return false;
}
