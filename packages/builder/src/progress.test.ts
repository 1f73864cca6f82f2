import { describe, expect, it } from 'vitest';
import { plainProgress, progressFor, ttyProgress } from './progress.ts';

describe('progress', () => {
  it('writes plain lines for logs', () => {
    const lines: string[] = [];
    const p = plainProgress((l) => lines.push(l));
    p.step(1, 3, 'FROM scratch');
    p.step(2, 3, 'COPY a /a');
    p.cached();
    p.step(3, 3, 'RUN ["/x"]');
    p.done(2048);
    expect(lines.join('')).toBe('#1 [1/3] FROM scratch\n#2 [2/3] COPY a /a\n#2 CACHED\n#3 [3/3] RUN ["/x"]\n#3 DONE 2.0 KiB\n');
  });
  it('rewrites the line in place on a terminal', () => {
    let out = '';
    const p = ttyProgress((t) => (out += t));
    p.step(1, 1, 'COPY a /a');
    p.cached();
    expect(out).toContain('\r');
    expect(out).toContain('CACHED');
  });
  it('uses plain lines in CI even on a terminal', () => {
    let out = '';
    const stream = { isTTY: true, write: (t: string) => {
      out += t;
      return true;
    } } as unknown as NodeJS.WriteStream;
    progressFor(stream, { CI: 'true' }).step(1, 1, 'X');
    expect(out).toBe('#1 [1/1] X\n');
  });
});
