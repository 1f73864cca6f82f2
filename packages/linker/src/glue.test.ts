// box:app's copies between the app memory and a capability's: every length
// from 0 to 100, at unaligned places and flush against the end of either
// memory, moves exactly the bytes asked for and nothing around them.

import { describe, expect, it } from 'vitest';
import { emptyModule, type Module } from './binary/module.ts';
import { writeModule } from './binary/writer.ts';
import { boxApp } from './glue.ts';
import { funcTypeKey } from './signature.ts';

async function copies() {
  const m: Module = emptyModule();
  const app = new WebAssembly.Memory({ initial: 1 });
  const cap = new WebAssembly.Memory({ initial: 1 });
  m.imports.push({ module: 'env', name: 'app', desc: { kind: 'memory', limits: { min: 1n } } });
  m.imports.push({ module: 'env', name: 'cap', desc: { kind: 'memory', limits: { min: 1n } } });
  for (const name of ['copy_in', 'copy_out']) {
    const s = boxApp(name, 'test', 1)!;
    if (m.types.length === 0 || funcTypeKey(m.types[0]!) !== funcTypeKey(s.type)) m.types.push(s.type);
    m.functions.push(0);
    m.codes.push(s.build([]));
    m.exports.push({ name, kind: 'func', index: m.functions.length - 1 });
  }
  const { instance } = await WebAssembly.instantiate(writeModule(m) as Uint8Array<ArrayBuffer>, { env: { app, cap } });
  const e = instance.exports as Record<string, (dst: number, src: number, len: number) => void>;
  return { app: new Uint8Array(app.buffer), cap: new Uint8Array(cap.buffer), copyIn: e.copy_in!, copyOut: e.copy_out! };
}

describe('box:app copy_in / copy_out glue', () => {
  it('moves exactly len bytes for every length from 0 to 100, unaligned and at the memories\' ends', async () => {
    const { app, cap, copyIn, copyOut } = await copies();
    const END = 65536;
    const directions = [
      { copy: copyOut, from: cap, to: app }, // capability memory -> app memory
      { copy: copyIn, from: app, to: cap }, // app memory -> capability memory
    ];
    for (let len = 0; len <= 100; len++) {
      for (const [dst, src] of [[3, 1001], [1000, 7], [END - len, 5], [9, END - len]] as const) {
        for (const { copy, from, to } of directions) {
          to.fill(0xee);
          for (let i = 0; i < from.length; i++) from[i] = (i * 7 + len) & 0xff;
          copy(dst, src, len);
          expect(to.subarray(dst, dst + len)).toEqual(from.subarray(src, src + len));
          if (dst > 0) expect(to[dst - 1]).toBe(0xee);
          if (dst + len < END) expect(to[dst + len]).toBe(0xee);
        }
      }
    }
  });

  it('traps on a range past the end (callers check ranges first; a trap is the last line of defence)', async () => {
    const { copyOut } = await copies();
    expect(() => copyOut(0, 65536 - 4, 8)).toThrow(WebAssembly.RuntimeError);
    expect(() => copyOut(0, 65536 - 4, 100)).toThrow(WebAssembly.RuntimeError);
  });
});
