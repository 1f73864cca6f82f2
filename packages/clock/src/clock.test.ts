import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ERRNO_FAULT, ERRNO_INVAL, ERRNO_SUCCESS, FUNCTIONS, boxAppImports, boxConfigImports, type LinkSettings,
} from '@marcotte/abi';
import { clock, clockConfig } from './index.ts';

const REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME = 2, THREAD_CPUTIME = 3;
const TICK = 1000n;
const S = 1_000_000_000n;
const Y2K = 946_684_800n * S;

interface ClockExports {
  memory: WebAssembly.Memory;
  init(): void;
  clock_time_get(id: number, precision: bigint, time: number): number;
  clock_res_get(id: number, res: number): number;
  random_get(buf: number, len: number): number;
  realtime(): bigint;
  now(id: number): bigint;
  advance(ns: bigint): void;
  virtual_time(): number;
  chacha20_block(key: number, counter: number, nonce: number, out: number): void;
}

/** clock.wasm alone over a test app memory, with a scripted host that records every call. */
async function boot(modes: { clock?: string; random?: string } = {}, pages = 1) {
  const app = new WebAssembly.Memory({ initial: pages });
  const view = () => new DataView(app.buffer);
  const host = {
    /** what the host's clocks read, by clock id */
    times: [1_700_000_000_123_456_789n, 5_000_000n, 2_000n, 3_000n],
    res: [1000n, 1n, 10n, 100n],
    calls: [] as Array<[string, ...unknown[]]>,
  };
  const wasi = {
    clock_time_get: (id: number, precision: bigint, ptr: number) => {
      host.calls.push(['clock_time_get', id, precision, ptr]);
      const t = host.times[id];
      if (t === undefined) return ERRNO_INVAL;
      view().setBigUint64(ptr, t, true);
      return ERRNO_SUCCESS;
    },
    clock_res_get: (id: number, ptr: number) => {
      host.calls.push(['clock_res_get', id, ptr]);
      view().setBigUint64(ptr, host.res[id]!, true);
      return ERRNO_SUCCESS;
    },
    random_get: (buf: number, len: number) => {
      host.calls.push(['random_get', buf, len]);
      new Uint8Array(app.buffer, buf, len).fill(0x5a);
      return ERRNO_SUCCESS;
    },
  };
  let memory: WebAssembly.Memory | undefined;
  const settings = { entrypoint: 'app.wasm', args: [], env: [], ...modes };
  const config = clock.config!(settings as LinkSettings);
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(clock.wasm() as Uint8Array<ArrayBuffer>), {
    'box:app': boxAppImports(() => app, () => memory!),
    'box:config': boxConfigImports(config, () => memory!),
    wasi_snapshot_preview1: wasi,
  } as WebAssembly.Imports);
  const e = instance.exports as unknown as ClockExports;
  memory = e.memory;
  e.init();
  const time = (id: number, ptr = 64): bigint => {
    expect(e.clock_time_get(id, 1n, ptr)).toBe(ERRNO_SUCCESS);
    return view().getBigUint64(ptr, true);
  };
  const random = (len: number, ptr = 1024): Uint8Array => {
    expect(e.random_get(ptr, len)).toBe(ERRNO_SUCCESS);
    return new Uint8Array(app.buffer, ptr, len).slice();
  };
  return { e, app, view, host, time, random };
}

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Runs the AssemblyScript block function on clock memory; the scratch area is the top of its first page. */
function block(e: ClockExports, key: Uint8Array, counter: number, nonce: Uint8Array): Uint8Array {
  const base = 65536 - 256;
  const mem = new Uint8Array(e.memory.buffer);
  mem.set(key, base);
  mem.set(nonce, base + 64);
  e.chacha20_block(base, counter, base + 64, base + 128);
  return new Uint8Array(e.memory.buffer, base + 128, 64).slice();
}

/** The keystream the README documents for --random seed:N, from OpenSSL rather than from our code. */
function opensslSeedStream(seed: bigint, length: number): Uint8Array {
  const key = Buffer.alloc(32);
  key.writeBigUInt64LE(seed);
  // OpenSSL's 16-byte chacha20 IV is the 32-bit block counter, then the RFC 8439 nonce.
  const iv = Buffer.concat([Buffer.alloc(8), Buffer.from('marcotte')]);
  return createCipheriv('chacha20', key, iv).update(Buffer.alloc(length));
}

describe('ChaCha20 (RFC 8439)', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);

  it('matches the §2.3.2 block function test vector', async () => {
    const { e } = await boot();
    const out = block(e, key, 1, hex('000000090000004a00000000'));
    expect(toHex(out)).toBe(toHex(hex(`
      10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4 c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
      d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2 b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e`)));
  });

  it('matches the §2.4.2 encryption test vector', async () => {
    const { e } = await boot();
    const nonce = hex('000000000000004a00000000');
    const plaintext = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const stream = new Uint8Array([...block(e, key, 1, nonce), ...block(e, key, 2, nonce)]);
    const ciphertext = plaintext.map((b, i) => b ^ stream[i]!);
    expect(toHex(ciphertext)).toBe(toHex(hex(`
      6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81 e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
      f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57 16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
      07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e 52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
      5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42 87 4d`)));
  });
});

describe('random_get seed:N', () => {
  it('is the documented ChaCha20 keystream, continuous across calls of any size', async () => {
    const { random } = await boot({ random: 'seed:42' });
    const sizes = [0, 1, 3, 60, 64, 1000, 1024, 2048, 5000, 7];
    const got = sizes.flatMap((n) => [...random(n)]);
    expect(toHex(Uint8Array.from(got))).toBe(toHex(opensslSeedStream(42n, got.length)));
    // pinned: a change here changes every seeded box's bytes
    const { random: again } = await boot({ random: 'seed:42' });
    expect(toHex(again(16))).toBe('afed14f5d6613dfa01a0d529f3344ebd');
  });

  it('gives the same bytes for the same seed and different bytes for different seeds', async () => {
    const a = (await boot({ random: 'seed:7' })).random(256);
    const b = (await boot({ random: 'seed:7' })).random(256);
    const c = (await boot({ random: 'seed:8' })).random(256);
    const max = (await boot({ random: 'seed:18446744073709551615' })).random(256);
    expect(toHex(a)).toBe(toHex(b));
    expect(toHex(a)).not.toBe(toHex(c));
    expect(toHex(max)).toBe(toHex(opensslSeedStream(2n ** 64n - 1n, 256)));
  });

  it('never asks the host, fills large buffers, and answers EFAULT without trapping', async () => {
    const { e, host, app, random } = await boot({ random: 'seed:1' }, 2);
    const big = random(100_000, 0);
    expect(toHex(big)).toBe(toHex(opensslSeedStream(1n, 100_000)));
    const end = app.buffer.byteLength;
    expect(e.random_get(end, 0)).toBe(ERRNO_SUCCESS);
    expect(e.random_get(end - 3, 4)).toBe(ERRNO_FAULT);
    expect(e.random_get(1, 0xffff_ffff)).toBe(ERRNO_FAULT);
    expect(e.random_get(0xffff_ffff, 2)).toBe(ERRNO_FAULT);
    expect(host.calls).toEqual([]);
  });
});

describe('random_get host', () => {
  it("passes the app's own pointer to the host", async () => {
    const { e, host, random } = await boot();
    expect([...random(5, 300)]).toEqual([0x5a, 0x5a, 0x5a, 0x5a, 0x5a]);
    expect(e.random_get(300, 0)).toBe(ERRNO_SUCCESS);
    expect(e.random_get(65536 - 4, 8)).toBe(ERRNO_FAULT);
    expect(e.random_get(8, 0xffff_fff8)).toBe(ERRNO_FAULT);
    expect(host.calls).toEqual([['random_get', 300, 5]]);
  });
});

describe('--clock fixed:T', () => {
  it('starts REALTIME at T and moves every clock by a tick per read', async () => {
    const { time } = await boot({ clock: 'fixed:2000-01-01T00:00:00Z' });
    expect(time(REALTIME)).toBe(Y2K);
    expect(time(REALTIME)).toBe(Y2K + TICK);
    const m1 = time(MONOTONIC), m2 = time(MONOTONIC);
    expect(m2 - m1).toBe(TICK);
    expect(m1).toBe(2n * TICK);
    expect(time(PROCESS_CPUTIME)).toBe(4n * TICK);
    expect(time(THREAD_CPUTIME)).toBe(5n * TICK);
  });

  it('sleeps instantly with advance, which CPU time does not see', async () => {
    const { e, time } = await boot({ clock: 'fixed:2000-01-01T00:00:00Z' });
    const r = time(REALTIME), m = time(MONOTONIC), c = time(PROCESS_CPUTIME);
    e.advance(90n * S);
    expect(time(REALTIME) - r).toBe(90n * S + 3n * TICK);
    expect(time(MONOTONIC) - m).toBe(90n * S + 3n * TICK);
    expect(time(PROCESS_CPUTIME) - c).toBe(3n * TICK);
    // what the kernel's poll_oneoff and the vfs see
    expect(e.now(MONOTONIC)).toBe(m + 90n * S + 5n * TICK);
    expect(e.realtime()).toBe(r + 90n * S + 7n * TICK);
    expect(e.now(9)).toBe(0n);
    expect(e.virtual_time()).toBe(1);
  });

  it('keeps every clock strictly increasing and saturates instead of wrapping', async () => {
    const { e, time } = await boot({ clock: 'fixed:2500-01-01T00:00:00Z' });
    let last = -1n;
    for (let i = 0; i < 100; i++) {
      if (i % 10 === 0) e.advance(BigInt(i) * S);
      const t = time(i % 2 ? MONOTONIC : REALTIME);
      expect(t > last || i % 2 === 1).toBe(true);
      if (i % 2 === 0) last = t;
    }
    e.advance(2n ** 64n - 1n);
    expect(time(REALTIME)).toBe(2n ** 64n - 1n);
    expect(time(MONOTONIC)).toBe(2n ** 64n - 1n);
  });

  it('answers the tick as resolution and never calls the host', async () => {
    const { e, view, host, time } = await boot({ clock: 'fixed:1970-01-01T00:00:00Z' });
    for (const id of [REALTIME, MONOTONIC, PROCESS_CPUTIME, THREAD_CPUTIME]) {
      expect(e.clock_res_get(id, 128)).toBe(ERRNO_SUCCESS);
      expect(view().getBigUint64(128, true)).toBe(TICK);
    }
    expect(time(REALTIME)).toBe(0n);
    e.realtime();
    e.now(MONOTONIC);
    expect(host.calls).toEqual([]);
  });
});

describe('--clock offset:D', () => {
  it('shifts REALTIME only', async () => {
    const { host, time } = await boot({ clock: 'offset:-90s' });
    expect(time(REALTIME)).toBe(host.times[REALTIME]! - 90n * S);
    expect(time(MONOTONIC)).toBe(host.times[MONOTONIC]);
    expect(time(PROCESS_CPUTIME)).toBe(host.times[PROCESS_CPUTIME]);
    host.times[REALTIME] = 1000n;
    expect(time(REALTIME)).toBe(0n); // clamped at the epoch rather than wrapped
    const later = await boot({ clock: 'offset:1h30m' });
    expect(later.time(REALTIME)).toBe(later.host.times[REALTIME]! + 5400n * S);
  });

  it('serves realtime() through 8 borrowed bytes of app memory, and puts them back', async () => {
    const { e, app, host } = await boot({ clock: 'offset:+2h' });
    new Uint8Array(app.buffer).fill(0xaa, 0, 16);
    expect(e.realtime()).toBe(host.times[REALTIME]! + 7200n * S);
    expect(e.now(MONOTONIC)).toBe(host.times[MONOTONIC]);
    expect(new Uint8Array(app.buffer, 0, 16).every((b) => b === 0xaa)).toBe(true);
    expect(host.calls.map((c) => c[3])).toEqual([0, 0]);
    expect(e.virtual_time()).toBe(0); // the kernel sleeps on the host in this mode
    e.advance(S);
    expect(e.now(MONOTONIC)).toBe(host.times[MONOTONIC]);
  });
});

describe('--clock host', () => {
  it("passes the app's own pointers and the precision to the host", async () => {
    const { e, view, host, time } = await boot({ clock: 'host' });
    expect(e.clock_time_get(REALTIME, 1234n, 200)).toBe(ERRNO_SUCCESS);
    expect(view().getBigUint64(200, true)).toBe(host.times[REALTIME]);
    expect(e.clock_res_get(PROCESS_CPUTIME, 304)).toBe(ERRNO_SUCCESS);
    expect(view().getBigUint64(304, true)).toBe(10n);
    expect(time(THREAD_CPUTIME, 401)).toBe(3000n); // misaligned pointers are fine
    expect(host.calls).toEqual([
      ['clock_time_get', REALTIME, 1234n, 200],
      ['clock_res_get', PROCESS_CPUTIME, 304],
      ['clock_time_get', THREAD_CPUTIME, 1n, 401],
    ]);
  });

  it('stamps files with one host reading until the program next looks at time', async () => {
    const { e, host, time } = await boot({ clock: 'host' });
    const reads = () => host.calls.filter((c) => c[0] === 'clock_time_get').length;
    const t0 = host.times[REALTIME]!;
    expect(e.realtime()).toBe(t0);
    host.times[REALTIME] = t0 + 5n;
    expect(e.realtime()).toBe(t0); // a loop of writes costs one host call
    expect(reads()).toBe(1);
    expect(time(REALTIME)).toBe(t0 + 5n); // the program looked: the next change is stamped afresh
    host.times[REALTIME] = t0 + 9n;
    expect(e.realtime()).toBe(t0 + 9n);
    host.times[REALTIME] = t0 + 12n;
    expect(e.virtual_time()).toBe(0); // the start of a poll_oneoff: the program may see time pass
    expect(e.realtime()).toBe(t0 + 12n);
    host.times[REALTIME] = t0 + 20n;
    e.now(MONOTONIC); // a poll's absolute deadline
    expect(e.realtime()).toBe(t0 + 20n);
    expect(reads()).toBe(6);
  });

  it('never lets MONOTONIC go backwards', async () => {
    const { e, host, time } = await boot();
    expect(time(MONOTONIC)).toBe(5_000_000n);
    host.times[MONOTONIC] = 4_000_000n;
    expect(time(MONOTONIC)).toBe(5_000_000n);
    expect(e.now(MONOTONIC)).toBe(5_000_000n);
    host.times[MONOTONIC] = 6_000_000n;
    expect(time(MONOTONIC)).toBe(6_000_000n);
  });
});

describe('argument checks', () => {
  for (const mode of ['host', 'fixed:2000-01-01T00:00:00Z', 'offset:1s']) {
    it(`answers EINVAL for unknown clocks and EFAULT for bad pointers (${mode})`, async () => {
      const { e, app, host } = await boot({ clock: mode });
      const end = app.buffer.byteLength;
      for (const id of [4, 5, 0xffff_ffff]) {
        expect(e.clock_time_get(id, 0n, 0)).toBe(ERRNO_INVAL);
        expect(e.clock_res_get(id, 0)).toBe(ERRNO_INVAL);
      }
      for (const ptr of [end - 7, end, 0xffff_fffc, 0xffff_ffff]) {
        expect(e.clock_time_get(REALTIME, 0n, ptr)).toBe(ERRNO_FAULT);
        expect(e.clock_res_get(REALTIME, ptr)).toBe(ERRNO_FAULT);
      }
      expect(e.clock_time_get(MONOTONIC, 0n, end - 8)).toBe(ERRNO_SUCCESS);
      expect(host.calls.length).toBe(mode === 'host' || mode.startsWith('offset') ? 1 : 0);
    });
  }
});

describe('descriptor', () => {
  it('encodes host/host when no mode is given and refuses bad modes at link time', () => {
    const base = { entrypoint: 'a', args: [], env: [] };
    expect([...clock.config!(base)[0]!]).toEqual(new Array(24).fill(0));
    expect(() => clock.config!({ ...base, clock: 'fixed:soon' } as LinkSettings)).toThrow(/RFC 3339/);
    expect(() => clock.config!({ ...base, random: 'seed:x' } as LinkSettings)).toThrow(/--random/);
    const bytes = clockConfig({ kind: 'offset', offset: -1n }, { kind: 'seed', seed: 2n ** 64n - 1n });
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(0, true), view.getUint32(4, true)]).toEqual([2, 1]);
    expect(view.getBigInt64(8, true)).toBe(-1n);
    expect(view.getBigUint64(16, true)).toBe(2n ** 64n - 1n);
  });

  it('declares what it exports, and only imports box:app, box:config and three WASI calls', () => {
    const module = new WebAssembly.Module(clock.wasm() as Uint8Array<ArrayBuffer>);
    const exports = WebAssembly.Module.exports(module).map((x) => x.name);
    for (const name of clock.provides) {
      expect(exports).toContain(name);
      expect(FUNCTIONS.some((f) => f.name === name)).toBe(true);
      expect(clock.support[name]).toBeDefined();
    }
    expect(exports).toEqual(expect.arrayContaining(['init', 'realtime', 'now', 'advance', 'virtual_time']));
    const imports = WebAssembly.Module.imports(module);
    expect(new Set(imports.map((i) => i.module))).toEqual(new Set(['box:app', 'box:config', 'wasi_snapshot_preview1']));
    expect(imports.filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => i.name).sort()).toEqual(
      ['clock_res_get', 'clock_time_get', 'random_get'],
    );
  });
});
