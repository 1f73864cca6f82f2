import { describe, expect, it } from 'vitest';
import { heapTypeOf, refType } from './binary/code.ts';
import type { FuncType } from './binary/module.ts';
import { LinkError } from './errors.ts';
import { BoxTypes } from './merge-types.ts';

const I32 = 0x7f;
const FUNCREF = 0x70;
const ref = (heap: number): number => refType(false, heap);
const refNull = (heap: number): number => refType(true, heap);
const fn = (params: number[], results: number[] = []): FuncType => ({ params, results });

describe('BoxTypes', () => {
  it('keeps types without typed references as they are, each distinct one once', () => {
    const box = new BoxTypes();
    const t = fn([I32], [I32]);
    expect(box.intern(fn([I32, I32]))).toBe(0);
    expect(box.internPart([t, fn([I32, I32]), fn([FUNCREF])], 'the program')).toEqual([1, 0, 2]);
    expect(box.types[1]).toBe(t);
  });

  it("maps a typed reference to the box's index of the part's type it names", () => {
    const box = new BoxTypes();
    box.intern(fn([I32, I32, I32, I32], [I32])); // a host import's type comes first: the part's types move by one
    const part = [fn([I32], [I32]), fn([refNull(0), I32], [I32]), fn([], [ref(0)])];
    expect(box.internPart(part, 'the program')).toEqual([1, 2, 3]);
    expect(box.types[2]).toEqual(fn([refNull(1), I32], [I32]));
    expect(box.types[3]).toEqual(fn([], [ref(1)]));
  });

  it('keeps abstract heap types, (ref null func) and the like, as they are', () => {
    const box = new BoxTypes();
    box.intern(fn([]));
    const t = fn([refNull(-16)], [ref(-17)]);
    expect(box.internPart([t], 'the program')).toEqual([1]);
    expect(box.types[1]).toEqual(t);
  });

  it('merges types that are equal once their references name box types, and only those', () => {
    const box = new BoxTypes();
    // program: 0 = (i32) -> i32, 1 = (ref 0) -> ()
    expect(box.internPart([fn([I32], [I32]), fn([ref(0)])], 'the program')).toEqual([0, 1]);
    // capability: 0 = () -> (), 1 = (i32) -> i32, 2 = (ref 1) -> () is the program's 1; 3 = (ref 0) -> () is not
    expect(box.internPart([fn([]), fn([I32], [I32]), fn([ref(1)]), fn([ref(0)])], 'capability vfs')).toEqual([2, 0, 1, 3]);
    expect(box.types[3]).toEqual(fn([ref(2)]));
  });

  it('keeps a self-referring type naming its own box index, and merges an equal one into it', () => {
    const box = new BoxTypes();
    box.intern(fn([I32]));
    box.intern(fn([]));
    // part: 0 = (ref null 0) -> (), naming itself (a rec group of one)
    expect(box.internPart([fn([refNull(0)])], 'the program')).toEqual([2]);
    expect(heapTypeOf(box.types[2]!.params[0]!)).toBe(2);
    // another part's equal type, at another index of its own, is the same type
    expect(box.internPart([fn([I32]), fn([refNull(1)])], 'capability proc')).toEqual([0, 2]);
    // a type naming that type from outside is another type
    expect(box.internPart([fn([refNull(0)]), fn([refNull(0)])], 'capability clock')).toEqual([2, 3]);
    expect(box.types[3]).toEqual(fn([refNull(2)]));
    expect(box.types).toHaveLength(4);
  });

  it('refuses a type naming a type after it, naming the part', () => {
    const box = new BoxTypes();
    expect(() => box.internPart([fn([ref(1)]), fn([])], 'capability vfs')).toThrow(LinkError);
    expect(() => box.internPart([fn([ref(1)]), fn([])], 'capability vfs')).toThrow('capability vfs: type 0 refers to type 1, defined after it');
  });
});
