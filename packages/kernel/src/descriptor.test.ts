import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '@marcotte/abi';
import { kernel } from './index.ts';

describe('kernel descriptor', () => {
  const module = new WebAssembly.Module(kernel.wasm() as Uint8Array<ArrayBuffer>);

  it('is a valid module', () => {
    expect(WebAssembly.validate(kernel.wasm() as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it('serves every fd-taking preview1 function and poll_oneoff, and exports each', () => {
    const fdTaking = FUNCTIONS.filter((f) => f.fdParams.length > 0).map((f) => f.name);
    expect([...kernel.provides].sort()).toEqual([...fdTaking, 'poll_oneoff'].sort());
    const exports = WebAssembly.Module.exports(module).map((x) => x.name);
    for (const name of kernel.provides) {
      expect(exports).toContain(name);
      expect(kernel.support[name]).toBeDefined();
    }
    expect(exports).toContain(kernel.init);
  });

  it('imports only box:app, its drivers and WASI', () => {
    expect(new Set(WebAssembly.Module.imports(module).map((i) => i.module))).toEqual(new Set(['box:app', 'box:clock', 'box:config', 'box:net', 'box:vfs', 'wasi_snapshot_preview1']));
  });
});
