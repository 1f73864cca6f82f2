import { readFileSync } from 'node:fs';
import { test, expect } from 'vitest';
import { readModule, writeModule, rewriteExpr, identityMap, ByteWriter, OPCODE_IMM } from './index.ts';
test('rt', () => {
  for (const f of ['hello.wasm', 'as-module.wasm']) {
    const x = new Uint8Array(readFileSync('/work/main/packages/linker/test/fixtures/' + f));
    const m = readModule(x);
    console.log(f, m.codes.length, m.customs.map(c => [c.name, c.after]), m.elements, m.data.length, m.memories);
    const y = writeModule(m);
    expect(Buffer.compare(Buffer.from(x), Buffer.from(y))).toBe(0);
    const t0 = performance.now();
    for (const c of m.codes) { const w = new ByteWriter(); rewriteExpr(c.body, identityMap, w); const o=w.finish(); let i=0; while(i<o.length&&o[i]===c.body[i])i++; if(i<o.length||o.length!==c.body.length){console.log(f,'diff at',i,[...c.body.subarray(Math.max(0,i-4),i+8)].map(b=>b.toString(16)),[...o.subarray(Math.max(0,i-4),i+8)].map(b=>b.toString(16)));break;} expect(Buffer.compare(Buffer.from(w.finish()), Buffer.from(c.body))).toBe(0); }
    console.log('rewrite ms', performance.now() - t0);
    let simd = 0; for (const c of m.codes) for (const b of c.body) if (b === 0xfd) simd++;
    console.log('0xfd bytes', simd);
  }
});
