import { describe, expect, it } from 'vitest';
import { expandPairs, expandWord, expandWords } from './variables.ts';

const vars: Record<string, string> = { A: 'one', B: '', SP: 'x y' };
const lookup = (n: string) => vars[n];

describe('variable substitution', () => {
  it('expands $VAR and ${VAR}', () => {
    expect(expandWord('$A/${A}-$NOPE.', lookup)).toBe('one/one-.');
  });
  it('expands ${VAR:-word} and ${VAR:+word}', () => {
    expect(expandWord('${B:-dflt} ${NOPE:-d2} ${A:-no}', lookup)).toBe('dflt d2 one');
    expect(expandWord('${A:+set} [${B:+set}] [${NOPE:+set}]', lookup)).toBe('set [] []');
    expect(expandWord('${NOPE:-$A}', lookup)).toBe('one');
  });
  it('keeps escaped dollars and single-quoted text literal', () => {
    expect(expandWord('\\$A \'$A\' "$A"', lookup)).toBe('$A $A one');
  });
  it('splits words on unquoted whitespace only, not inside values', () => {
    expect(expandWords('a "b c" $SP', lookup)).toEqual(['a', 'b c', 'x y']);
  });
  it('reads KEY=VALUE pairs and the legacy KEY VALUE form', () => {
    expect(expandPairs('X=1 Y="two words" Z=$A', lookup, '\\', true)).toEqual([['X', '1'], ['Y', 'two words'], ['Z', 'one']]);
    expect(expandPairs('X two words', lookup, '\\', true)).toEqual([['X', 'two words']]);
  });
  it('refuses a bad substitution', () => {
    expect(() => expandWord('${A', lookup)).toThrow(/missing }/);
    expect(() => expandWord('${A#x}', lookup)).toThrow(/unsupported modifier/);
  });
});
