import { afterEach, describe, expect, it, vi } from 'vitest';

// The same check as the end-to-end test on an old Node, independent of which Nodes this machine has.
vi.mock('@marcotte/runtime/features', async (original) => ({
  ...(await original<typeof import('@marcotte/runtime/features')>()),
  hasMultiMemory: () => false,
}));

describe('main without multi-memory', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints one line saying what to do and returns 125', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));
    const { main } = await import('./main.ts');
    expect(await main('box-link', ['app.wasm'])).toBe(125);
    expect(await main('box', ['inspect', 'x.box.wasm'])).toBe(125);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^box-link: this JavaScript engine cannot run multi-memory WebAssembly/);
  });

  it('still answers --help', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { main } = await import('./main.ts');
    expect(await main('box', ['--help'])).toBe(0);
  });
});
