import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { link } from '@marcotte/linker';
import { liveBoxThreads, runBoxIsolated } from './isolated.ts';
import { LimitError } from './errors.ts';

const program = (name: string) => readFileSync(new URL(`../../../conformance/programs/${name}.wasm`, import.meta.url));
const box = (name: string) => link(program(name), { capabilities: [kernel, proc], entrypoint: name, args: [], env: [] }).bytes;

describe('runBoxIsolated ends a blocked box and its thread', () => {
  it('ends a box asleep in poll_oneoff, and its thread is gone when the run settles', async () => {
    // sleep 30 s: node:wasi slept in uv_sleep, out of terminate()'s reach, until the sleep was over
    const stop = new AbortController();
    const started = performance.now();
    const asleep = runBoxIsolated(box('sleep'), { args: ['30'], signal: stop.signal, stdout: () => stop.abort() });
    await expect(asleep).rejects.toThrow(/abort/i);
    expect(liveBoxThreads()).toBe(0);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('ends a box asleep at its time limit', async () => {
    const started = performance.now();
    await expect(runBoxIsolated(box('sleep'), { args: ['30'], timeoutMs: 1000, stdout: () => {} })).rejects.toThrow(LimitError);
    expect(liveBoxThreads()).toBe(0);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('still sleeps as long as asked when nothing ends it', async () => {
    const out: string[] = [];
    const result = await runBoxIsolated(box('sleep'), { args: ['1'], stdout: (b) => out.push(new TextDecoder().decode(b)) });
    expect(result.exitCode).toBe(0);
    expect(out.join('')).toBe('sleeping\nawake\n');
    expect(liveBoxThreads()).toBe(0);
  });

  it('leaves a process that ran a box blocked on stdin (a pipe that never closes) free to exit by itself', async () => {
    // The child runs cat on its own stdin, which stays open, until a time limit; then nothing may keep it alive.
    const isolated = new URL('./isolated.ts', import.meta.url).href;
    const script = `
      const { runBoxIsolated, liveBoxThreads } = await import(${JSON.stringify(isolated)});
      const box = new Uint8Array(Buffer.from(process.argv[1], 'base64'));
      // Ended once it has echoed the first line: it is then reading stdin again.
      const stop = new AbortController();
      const stdout = (b) => { process.stdout.write(b); stop.abort(); };
      const outcome = await runBoxIsolated(box, { signal: stop.signal, stdout }).then((r) => 'exit ' + r.exitCode, (e) => e.name);
      console.log(outcome, 'threads', liveBoxThreads());`;
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script, Buffer.from(box('cat')).toString('base64')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.write('line\n');
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Before the fix the child waited for its stdin to close: here it never does, so it would be killed at the bound.
    const bound = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
    clearTimeout(bound);
    child.stdin.destroy();
    expect({ code, signal, stdout }).toEqual({ code: 0, signal: null, stdout: 'line\nAbortError threads 0\n' });
  });
});
