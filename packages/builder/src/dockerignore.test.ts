import { describe, expect, it } from 'vitest';
import { isIgnored, parseDockerignore } from './dockerignore.ts';

describe('.dockerignore', () => {
  const patterns = parseDockerignore(['# comment', '*.log', '/build', '**/*.tmp', 'docs', '!docs/keep.md', 'a?c', 'x/[ab].txt'].join('\n'));
  it.each([
    ['app.log', true],
    ['sub/app.log', false],
    ['build', true],
    ['build/out.o', true],
    ['deep/er/file.tmp', true],
    ['file.tmp', true],
    ['docs/guide.md', true],
    ['docs/keep.md', false],
    ['abc', true],
    ['abbc', false],
    ['x/a.txt', true],
    ['x/c.txt', false],
    ['src/main.c', false],
  ])('%s ignored: %s', (path, ignored) => {
    expect(isIgnored(patterns, path)).toBe(ignored);
  });
});
