import { describe, expect, it } from 'vitest';
import { BuildError } from './errors.ts';
import { goClean, isIgnored, mayReinclude, parseDockerignore } from './dockerignore.ts';

const ignored = (file: string, path: string): boolean => isIgnored(parseDockerignore(file), path);

describe('.dockerignore: the examples of docs.docker.com/build/concepts/context/#dockerignore-files', () => {
  const docs = ['# comment', '*/temp*', '*/*/temp*', 'temp?'].join('\n');
  it.each([
    ['somedir/temporary.txt', true], // */temp*: a name starting with temp one level down
    ['somedir/temp', true],
    ['somedir/temp/inner.c', true], // ... and what is below a directory it names
    ['temporary.txt', false], // not at the root
    ['somedir/subdir/temporary.txt', true], // */*/temp*
    ['a/b/c/temporary.txt', false], // three levels down: neither
    ['tempa', true], // temp?
    ['tempab', false],
    ['temp', false],
    ['comment', false],
  ])('%s ignored: %s', (path, want) => expect(ignored(docs, path)).toBe(want));

  it('**/*.go excludes .go files in every directory, the root included', () => {
    expect(ignored('**/*.go', 'main.go')).toBe(true);
    expect(ignored('**/*.go', 'a/b/c.go')).toBe(true);
    expect(ignored('**/*.go', 'a/b/c.gox')).toBe(false);
  });

  it('! re-includes, and the last matching line decides', () => {
    expect(ignored('*.md\n!README.md', 'CHANGES.md')).toBe(true);
    expect(ignored('*.md\n!README.md', 'README.md')).toBe(false);
    const secret = '*.md\n!README*.md\nREADME-secret.md';
    expect(ignored(secret, 'README-secret.md')).toBe(true);
    expect(ignored(secret, 'README-public.md')).toBe(false);
    expect(ignored(secret, 'notes.md')).toBe(true);
    // the middle line has no effect when a later ! takes every README back
    const later = '*.md\nREADME-secret.md\n!README*.md';
    expect(ignored(later, 'README-secret.md')).toBe(false);
  });

  it('/foo/bar and foo/bar both name bar in the foo directory of the context', () => {
    for (const p of ['/foo/bar', 'foo/bar', './foo/bar', 'foo/bar/', 'foo//bar', 'foo/x/../bar']) {
      expect(ignored(p, 'foo/bar')).toBe(true);
      expect(ignored(p, 'foo/bar/baz')).toBe(true);
      expect(ignored(p, 'x/foo/bar')).toBe(false);
    }
  });

  it('the pattern . is ignored; blank lines and comment lines are not patterns', () => {
    expect(parseDockerignore('.\n\n   \n# x\n').map((p) => p.text)).toEqual(['.']);
    for (const path of ['a', '.a', 'a/b']) expect(ignored('.', path)).toBe(false);
  });
});

// Single-pattern cases from moby/patternmatcher's own tests (the matcher
// Docker and BuildKit use), for the rules the docs page only names.
describe('.dockerignore: moby patternmatcher semantics', () => {
  it.each([
    ['**', 'file', true],
    ['**', 'dir/file', true],
    ['**/', 'dir/file', true],
    ['**/**', 'dir/file', true],
    ['dir/**', 'dir/file', true],
    ['dir/**', 'dir/dir2/file', true],
    ['**/dir', 'dir', true],
    ['**/dir', 'dir/file', true],
    ['**/dir2/*', 'dir/dir2/file', true],
    ['**/dir2/**', 'dir/dir2/dir3/file', true],
    ['**file', 'file', true],
    ['**file', 'dir/file', true],
    ['**file', 'dir/dir/file', true],
    ['**/file', 'dir/dir/file', true],
    ['**/file*', 'dir/dir/file.txt', true],
    ['**/file*txt', 'dir/dir/file.txt', true],
    ['**/file*.txt*', 'dir/dir/file.txt', true],
    ['**/**/*.txt', 'dir/dir/file.txt', true],
    ['**/**/*.txt2', 'dir/dir/file.txt', false],
    ['**/*.txt', 'file.txt', true],
    ['**/**/*.txt', 'file.txt', true],
    ['a**/*.txt', 'a/file.txt', true],
    ['a**/*.txt', 'a/dir/file.txt', true],
    ['a**/*.txt', 'a/dir/dir/file.txt', true],
    ['a/*.txt', 'a/dir/file.txt', false],
    ['a/*.txt', 'a/file.txt', true],
    ['a/*.txt**', 'a/file.txt', true],
    ['a[b-d]e', 'ae', false],
    ['a[b-d]e', 'ace', true],
    ['a[b-d]e', 'aae', false],
    ['a[^b-d]e', 'aze', true],
    ['a[^b-d]e', 'ace', false],
    ['.*', '.foo', true],
    ['.*', 'foo', false],
    ['abc.def', 'abcdef', false],
    ['abc.def', 'abc.def', true],
    ['abc.def', 'abcZdef', false],
    ['abc?def', 'abcZdef', true],
    ['abc?def', 'abcdef', false],
    ['a\\\\', 'a\\', true],
    ['**/foo/bar', 'foo/bar', true],
    ['**/foo/bar', 'dir/foo/bar', true],
    ['**/foo/bar', 'dir/dir2/foo/bar', true],
    ['abc/**', 'abc', false],
    ['abc/**', 'abc/def', true],
    ['abc/**', 'abc/def/ghi', true],
    ['**/.foo', '.foo', true],
    ['**/.foo', 'bar.foo', false],
    ['a(b)c/def', 'a(b)c/def', true],
    ['a(b)c/def', 'a(b)c/xyz', false],
    ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
    ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
    ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
    // suffix and prefix forms: a leading ** is a plain suffix, a trailing ** on a literal a plain prefix
    ['**.txt', 'a.txt', true],
    ['**.txt', 'd/a.txt', true],
    ['dir**', 'dir2/file', true],
    ['dir**', 'dir', true],
    // * and ? stop at /
    ['*', 'a/b', true], // through its parent a
    ['a*', 'ab/c', true],
    ['a?c', 'a/c', false],
    ['a*c', 'a/c', false],
    // escapes make the next character literal
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['a\\?', 'a?', true],
    ['a\\?', 'ab', false],
    ['\\[x]', '[x]', true],
    ['\\[x]', 'x', false],
    // ! inside a class is a literal, not a negation (Go's filepath.Match uses ^)
    ['a[!b]c', 'a!c', true],
    ['a[!b]c', 'abc', true],
    ['a[!b]c', 'axc', false],
    ['[[]x', '[x', true],
    ['a[\\]]b', 'a]b', true],
    // a leading .. is kept by Clean, so it never names a context path
    ['../a', 'a', false],
    ['/../a', 'a', true],
  ])('%s on %s: %s', (pattern, path, want) => expect(ignored(pattern, path)).toBe(want));
});

describe('.dockerignore: reading the file', () => {
  it('a # is a comment only in the first column', () => {
    expect(ignored('#a', '#a')).toBe(false);
    expect(ignored(' #a', '#a')).toBe(true);
  });
  it('a UTF-8 BOM and CRLF line ends are read past', () => {
    expect(ignored('\uFEFFa\r\nb\r\n', 'a')).toBe(true);
    expect(ignored('\uFEFFa\r\nb\r\n', 'b')).toBe(true);
    expect(ignored('\uFEFF#a\na', 'a')).toBe(true);
  });
  it('spaces around a pattern and after ! are trimmed', () => {
    expect(ignored('  a  \n!  a/keep  ', 'a/x')).toBe(true);
    expect(ignored('  a  \n!  a/keep  ', 'a/keep')).toBe(false);
  });
  it('a negation of a leading-/ pattern is relative too', () => {
    expect(ignored('a\n!/a/keep', 'a/keep')).toBe(false);
  });
  it.each([
    ['!', 'illegal exclusion pattern'],
    ['  !  ', 'illegal exclusion pattern'],
    ['a[', 'unclosed ['],
    ['a[b', 'unclosed ['],
    ['a\\', 'trailing \\'],
    ['[]a', 'malformed character class'],
    ['[^]a', 'malformed character class'],
    ['[-a]', 'malformed character class'],
    ['[a-]', 'malformed character class'],
    ['[z-a]', 'syntax error in pattern'],
  ])('%j fails the build (%s)', (text, message) => {
    let err: unknown;
    try {
      parseDockerignore(`ok\n${text}`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toContain('.dockerignore:2: ');
    expect((err as BuildError).message).toContain(message);
    expect((err as BuildError).exitCode).toBe(2);
  });
});

describe('.dockerignore: the walk', () => {
  it('goes into an excluded directory only when a later ! can reach below it', () => {
    const p = parseDockerignore('docs\nnode_modules\n!*/keep.md\n!x/**/y');
    expect(mayReinclude(p, 'docs')).toBe(true);
    expect(mayReinclude(parseDockerignore('docs\n!other/keep.md'), 'docs')).toBe(false);
    expect(mayReinclude(parseDockerignore('docs\n!docs'), 'docs/a')).toBe(false);
    expect(mayReinclude(parseDockerignore('docs\n!**/keep'), 'docs/a')).toBe(true);
    expect(mayReinclude(parseDockerignore('docs\n!docs[/]x/y'), 'docs')).toBe(true);
  });
  it('Clean as Go does', () => {
    expect(goClean('./a/')).toBe('a');
    expect(goClean('a/../..')).toBe('..');
    expect(goClean('/../a')).toBe('/a');
    expect(goClean('')).toBe('.');
  });
});
