// The box-conformance command's --timeout: refused unless a positive number
// of seconds, and passed to the runner as each test's time limit.

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { conformanceMain } from '../index.ts';

const programs = new URL('../programs/', import.meta.url).pathname;
const suite = mkdtempSync(join(tmpdir(), 'command-suite-'));
copyFileSync(join(programs, 'spin.wasm'), join(suite, 'spin.wasm'));
afterAll(() => rmSync(suite, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the command in this process: its exit code and what it printed on stdout and stderr. */
async function command(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  const code = await conformanceMain(argv);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('box conformance --timeout', () => {
  it.each(['0', 'abc', '', ' ', '2147484', 'Infinity', 'NaN'])('refuses %j in one line, exit 2, before any test runs', async (value) => {
    const r = await command(['--suite', suite, '--timeout', value]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `box conformance: --timeout expects a positive number of seconds (at most 2147483), got ${JSON.stringify(value)}`,
    });
  });

  it('is each test\'s time limit: a program that never ends is killed after it', async () => {
    // What it printed before the kill is the runner test's concern: here only the limit counts, so it can be short.
    const r = await command(['--suite', suite, '--timeout', '0.5', '--mode', 'both']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      '.: 0 passed, 2 failed (2 timed out)',
      '  TIMEOUT spin [static]: still running after 500 ms: killed',
      '  TIMEOUT spin [dynamic]: still running after 500 ms: killed',
      '0 passed, 2 failed',
    ]);
  });
});
