import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './dockerfile.ts';

describe('parseDockerfile', () => {
  it('keeps the line each instruction starts on, across comments and continuations', () => {
    const d = parseDockerfile(['# a comment', '', 'FROM scratch', 'COPY a \\', '  # dropped', '  b /x/', 'ENV A=1'].join('\n'));
    expect(d.instructions.map((i) => [i.keyword, i.line, i.rest])).toEqual([
      ['FROM', 3, 'scratch'],
      ['COPY', 4, 'a   b /x/'],
      ['ENV', 7, 'A=1'],
    ]);
  });

  it('reads the escape directive and continues lines with a backtick', () => {
    const d = parseDockerfile('# escape=`\nFROM scratch\nCOPY a `\n b c\\d /');
    expect(d.escape).toBe('`');
    expect(d.instructions[1]!.rest).toBe('a  b c\\d /');
  });

  it('tells the exec form from the shell form', () => {
    const d = parseDockerfile('FROM scratch\nRUN ["/bin/x", "a b"]\nRUN /bin/x a b\nCMD [not json');
    expect(d.instructions[1]!.exec).toEqual(['/bin/x', 'a b']);
    expect(d.instructions[2]!.exec).toBeUndefined();
    expect(d.instructions[3]!.exec).toBeUndefined();
  });

  it('splits --flags off COPY, ADD, FROM and RUN', () => {
    const d = parseDockerfile('FROM --platform=wasi/wasm scratch AS a\nCOPY --from=a --chmod=755 /x /y');
    expect([...d.instructions[0]!.flags]).toEqual([['platform', 'wasi/wasm']]);
    expect(d.instructions[0]!.rest).toBe('scratch AS a');
    expect([...d.instructions[1]!.flags]).toEqual([['from', 'a'], ['chmod', '755']]);
    expect(d.instructions[1]!.rest).toBe('/x /y');
  });

  it('refuses heredocs clearly, naming the line', () => {
    expect(() => parseDockerfile('FROM scratch\n\nRUN <<EOF\necho\nEOF', 'Dockerfile')).toThrow(/^Dockerfile:3: RUN with a heredoc/);
  });

  it('refuses a NUL anywhere, raw or as a JSON escape, naming the line (found by the CLI fuzzer)', () => {
    expect(() => parseDockerfile('FROM scratch\nWORKDIR /a\0b\n')).toThrow(/^Dockerfile:2: a NUL character is not allowed/);
    expect(() => parseDockerfile('FROM scratch\nCMD ["a\\u0000b"]\n')).toThrow(/^Dockerfile:2: CMD: a NUL character/);
  });

  it('ignores a lone continuation on the last line (found by the CLI fuzzer)', () => {
    expect(parseDockerfile('FROM scratch\n\\').instructions.map((i) => i.keyword)).toEqual(['FROM']);
    expect(parseDockerfile('FROM scratch\nENV A=1 \\').instructions[1]!.rest).toBe('A=1');
  });

  it('upper-cases keywords', () => {
    expect(parseDockerfile('from scratch\ncopy a b').instructions.map((i) => i.keyword)).toEqual(['FROM', 'COPY']);
  });
});
