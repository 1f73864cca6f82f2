import { describe, expect, it } from 'vitest';
import {
  ERRNO_2BIG, ERRNO_FAULT, ERRNO_NOSYS, ERRNO_SUCCESS, FUNCTIONS, boxAppImports, boxConfigImports,
} from '@marcotte/abi';
import { proc, procConfig } from './index.ts';

const encoder = new TextEncoder();

/** proc.wasm alone: box:app over a test app memory, a host giving `hostArgs` and `hostEnv`. */
async function run(baked: { args?: string[]; env?: string[] }, hostArgs: string[], hostEnv: string[], pages = 1) {
  const app = new WebAssembly.Memory({ initial: pages });
  const view = () => new DataView(app.buffer);
  const list = (items: string[]) => ({
    sizes: (count: number, size: number) => {
      view().setUint32(count, items.length, true);
      view().setUint32(size, items.reduce((n, s) => n + encoder.encode(s).length + 1, 0), true);
      return ERRNO_SUCCESS;
    },
    get: (ptrs: number, buf: number) => {
      let at = buf;
      items.forEach((s, i) => {
        view().setUint32(ptrs + 4 * i, at, true);
        const b = encoder.encode(s);
        new Uint8Array(app.buffer).set(b, at);
        view().setUint8(at + b.length, 0);
        at += b.length + 1;
      });
      return ERRNO_SUCCESS;
    },
  });
  const args = list(hostArgs), env = list(hostEnv);
  const exits: number[] = [];
  let memory: WebAssembly.Memory | undefined;
  const config = procConfig({ entrypoint: '/bin/app', args: baked.args ?? [], env: baked.env ?? [] });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(proc.wasm() as Uint8Array<ArrayBuffer>), {
    'box:app': boxAppImports(() => app, () => memory!),
    'box:config': boxConfigImports([config], () => memory!),
    wasi_snapshot_preview1: {
      args_sizes_get: args.sizes, args_get: args.get,
      environ_sizes_get: env.sizes, environ_get: env.get,
      proc_exit: (code: number) => void exits.push(code),
    },
  } as WebAssembly.Imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  const before = new Uint8Array(app.buffer).slice(0, 4096);
  new Uint8Array(app.buffer).fill(0xaa, 0, 4096);
  const e = instance.exports as Record<string, (...a: number[]) => number>;
  e.init!();
  // init borrows the start of the app memory and must put it back
  expect(new Uint8Array(app.buffer, 0, 4096).every((b) => b === 0xaa)).toBe(true);
  new Uint8Array(app.buffer).set(before);
  const read = (sizes: string, get: string): string[] | number => {
    const err = e[sizes]!(8000, 8004);
    if (err !== ERRNO_SUCCESS) return err;
    const count = view().getUint32(8000, true);
    expect(e[get]!(9000, 10000)).toBe(ERRNO_SUCCESS);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const start = view().getUint32(9000 + 4 * i, true);
      let end = start;
      while (view().getUint8(end)) end++;
      out.push(new TextDecoder().decode(new Uint8Array(app.buffer, start, end - start)));
    }
    return out;
  };
  return {
    e, app, exits,
    argv: () => read('args_sizes_get', 'args_get'),
    environ: () => read('environ_sizes_get', 'environ_get'),
  };
}

describe('proc', () => {
  it('uses the baked args when the host gives none beyond its argv[0]', async () => {
    const p = await run({ args: ['--serve', 'x'] }, ['whatever-the-host-calls-it'], []);
    expect(p.argv()).toEqual(['/bin/app', '--serve', 'x']);
  });

  it('replaces the baked args by run-time args, keeping the entrypoint as argv[0]', async () => {
    const p = await run({ args: ['--serve'] }, ['host-name', 'a', 'b c'], []);
    expect(p.argv()).toEqual(['/bin/app', 'a', 'b c']);
  });

  it('overrides baked env key by key and appends new keys, in order', async () => {
    const p = await run({ env: ['A=1', 'B=2', 'C=3'] }, [], ['B=20', 'D=4', 'A=']);
    expect(p.environ()).toEqual(['A=', 'B=20', 'C=3', 'D=4']);
  });

  it('answers EFAULT for pointers outside the app memory', async () => {
    const p = await run({ args: ['x'] }, [], []);
    const end = p.app.buffer.byteLength;
    expect(p.e.args_sizes_get!(end - 2, 0)).toBe(ERRNO_FAULT);
    expect(p.e.args_get!(0, end - 3)).toBe(ERRNO_FAULT);
    expect(p.e.environ_get!(end, 0)).toBe(ERRNO_SUCCESS); // no env: zero bytes at the very end are in bounds
    expect(p.e.args_get!(0xffff_fffc, 0)).toBe(ERRNO_FAULT);
  });

  it('answers E2BIG when the host args do not fit the app memory it borrows', async () => {
    const p = await run({}, ['h', 'x'.repeat(70_000)], [], 1);
    expect(p.e.args_sizes_get!(0, 4)).toBe(ERRNO_2BIG);
  });

  it('passes proc_exit to the host, answers sched_yield and refuses proc_raise', async () => {
    const p = await run({}, [], []);
    p.e.proc_exit!(7);
    expect(p.exits).toEqual([7]);
    expect(p.e.sched_yield!()).toBe(ERRNO_SUCCESS);
    expect(p.e.proc_raise!(15)).toBe(ERRNO_NOSYS);
  });

  it('declares what it exports, and only imports box:app, box:config and WASI', async () => {
    const module = new WebAssembly.Module(proc.wasm() as Uint8Array<ArrayBuffer>);
    const exports = WebAssembly.Module.exports(module).map((x) => x.name);
    for (const name of proc.provides) {
      expect(exports).toContain(name);
      expect(FUNCTIONS.some((f) => f.name === name)).toBe(true);
      expect(proc.support[name]).toBeDefined();
    }
    expect(new Set(WebAssembly.Module.imports(module).map((i) => i.module))).toEqual(
      new Set(['box:app', 'box:config', 'wasi_snapshot_preview1']),
    );
  });

  it('refuses NUL inside baked values', () => {
    expect(() => procConfig({ entrypoint: 'a', args: ['x\0y'], env: [] })).toThrow(/NUL/);
  });
});
