import { describe, expect, it } from 'vitest';
import { kernel } from '@marcotte/kernel';
import { net, netConfig, parsePort } from './index.ts';

describe('net descriptor', () => {
  it('imports only box:app, box:config and the preview1 socket calls from the host', async () => {
    const module = await WebAssembly.compile(net.wasm() as Uint8Array<ArrayBuffer>);
    const imports = WebAssembly.Module.imports(module);
    expect(new Set(imports.map((i) => i.module))).toEqual(new Set(['box:app', 'box:config', 'wasi_snapshot_preview1']));
    const host = imports.filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => i.name).sort();
    expect(host).toEqual(['fd_close', 'fd_fdstat_set_flags', 'fd_read', 'fd_write', 'poll_oneoff', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown']);
  });

  it('exports the driver entry points the kernel imports from box:net', async () => {
    const module = await WebAssembly.compile(net.wasm() as Uint8Array<ArrayBuffer>);
    const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const compiled = await WebAssembly.compile(kernel.wasm() as Uint8Array<ArrayBuffer>);
    const wanted = WebAssembly.Module.imports(compiled).filter((i) => i.module === 'box:net').map((i) => i.name);
    expect(wanted.length).toBeGreaterThan(0);
    for (const name of wanted) expect(exported.has(name), name).toBe(true);
  });

  it('has a support table entry for every socket call and no init (nothing runs before the kernel)', () => {
    for (const name of ['sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown', 'poll_oneoff']) expect(net.support[name]).toBeDefined();
    expect(net.init).toBeUndefined();
  });

  it('writes the --listen ports as its config segment', () => {
    const bytes = netConfig({ entrypoint: 'x', args: [], env: [], listen: [8080, 443] });
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true)]).toEqual([2, 8080, 443]);
    expect(netConfig({ entrypoint: 'x', args: [], env: [] })).toEqual(new Uint8Array(4));
  });

  it('parses ports', () => {
    expect(parsePort('80')).toBe(80);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['0', '65536', '-1', '8o', '', ' 80']) expect(parsePort(bad)).toBeUndefined();
  });
});
