import { describe, expect, it } from 'vitest';
import { refType } from './binary/code.ts';
import { formatFuncType, valTypeName } from './signature.ts';

describe('valTypeName', () => {
  it('names number and reference types as the text format does', () => {
    expect(valTypeName(0x7f)).toBe('i32');
    expect(valTypeName(0x70)).toBe('funcref');
    expect(valTypeName(0x69)).toBe('exnref');
  });

  it('names a typed reference by its type index, not its packed form', () => {
    expect(valTypeName(refType(true, 3))).toBe('(ref null 3)');
    expect(valTypeName(refType(false, 200))).toBe('(ref 200)');
    expect(valTypeName(refType(false, -16))).toBe('(ref func)');
    expect(valTypeName(refType(true, -17))).toBe('(ref null extern)');
    expect(formatFuncType({ params: [refType(true, 0), 0x7f], results: [refType(false, 1)] })).toBe('((ref null 0), i32) -> (ref 1)');
  });
});
