// The kernel and the net driver on their own, wired in JavaScript: box:app
// over a test app memory, and a scripted host (recorded) serving both. The
// host's fds 3.. are listening sockets (SOCKET_STREAM) unless the script says otherwise.

import { ERRNO_BADF, ERRNO_NOSYS, ERRNO_SUCCESS, FILETYPE_SOCKET_STREAM, boxAppImports, boxConfigImports } from '@marcotte/abi';
import { kernel, kernelConfig } from '@marcotte/kernel';
import { net, netConfig } from '../src/index.ts';

export type HostFn = (app: DataView, ...args: (number | bigint)[]) => number | undefined;

export interface HostCall {
  name: string;
  args: (number | bigint)[];
}

export interface NetHarness {
  kernel: Record<string, (...args: (number | bigint)[]) => number>;
  view: DataView;
  bytes: Uint8Array;
  callsOf(name: string): HostCall[];
}

/** What the linker stands in for a capability that is not linked: functions answering zeros. */
function notLinked(module: WebAssembly.Module, name: string): Record<string, () => number | bigint> {
  return Object.fromEntries(WebAssembly.Module.imports(module).filter((i) => i.module === name).map((i) => [i.name, () => 0]));
}

/**
 * `listen`: the box's --listen ports (undefined: net not linked, so the
 * kernel passes sock_* through). `sockets`: how many listening sockets the
 * host preopens at fds 3...
 */
export async function netHarness(options: { listen?: number[]; sockets?: number; host?: Record<string, HostFn> }): Promise<NetHarness> {
  const app = new WebAssembly.Memory({ initial: 1 });
  const view = () => new DataView(app.buffer);
  const calls: HostCall[] = [];
  const sockets = options.sockets ?? 1;
  const defaults: Record<string, HostFn> = {
    fd_prestat_get: () => ERRNO_BADF,
    fd_fdstat_get: (v, fd, buf) => {
      const n = Number(fd);
      if (n < 3) return ERRNO_SUCCESS;
      if (n >= 3 + sockets && n < 100) return ERRNO_BADF;
      v.setUint8(Number(buf), FILETYPE_SOCKET_STREAM);
      return ERRNO_SUCCESS;
    },
    fd_close: () => ERRNO_SUCCESS,
  };
  const hostFor = (module: WebAssembly.Module) => {
    const host: Record<string, (...args: (number | bigint)[]) => number | undefined> = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.module !== 'wasi_snapshot_preview1') continue;
      const fn = options.host?.[imp.name] ?? defaults[imp.name] ?? (() => ERRNO_NOSYS);
      host[imp.name] = (...args) => {
        calls.push({ name: imp.name, args });
        return fn(view(), ...args);
      };
    }
    return host;
  };
  const kernelModule = await WebAssembly.compile(kernel.wasm() as Uint8Array<ArrayBuffer>);
  let boxNet: WebAssembly.ModuleImports = notLinked(kernelModule, 'box:net');
  if (options.listen) {
    const netModule = await WebAssembly.compile(net.wasm() as Uint8Array<ArrayBuffer>);
    let memory: WebAssembly.Memory | undefined;
    const instance = await WebAssembly.instantiate(netModule, {
      'box:app': boxAppImports(() => app, () => memory!),
      'box:config': boxConfigImports([netConfig({ entrypoint: '', args: [], env: [], listen: options.listen })], () => memory!),
      wasi_snapshot_preview1: hostFor(netModule),
    } as WebAssembly.Imports);
    memory = instance.exports.memory as WebAssembly.Memory;
    boxNet = instance.exports as WebAssembly.ModuleImports;
  }
  let kernelMemory: WebAssembly.Memory | undefined;
  const instance = await WebAssembly.instantiate(kernelModule, {
    'box:app': boxAppImports(() => app, () => kernelMemory!),
    'box:config': boxConfigImports([kernelConfig({ entrypoint: '', args: [], env: [] })], () => kernelMemory!),
    'box:vfs': notLinked(kernelModule, 'box:vfs'),
    'box:clock': notLinked(kernelModule, 'box:clock'),
    'box:net': boxNet,
    wasi_snapshot_preview1: hostFor(kernelModule),
  } as WebAssembly.Imports);
  kernelMemory = instance.exports.memory as WebAssembly.Memory;
  const k = instance.exports as unknown as NetHarness['kernel'];
  k.init!();
  calls.length = 0;
  return {
    kernel: k,
    get view() {
      return view();
    },
    get bytes() {
      return new Uint8Array(app.buffer);
    },
    callsOf: (name) => calls.filter((c) => c.name === name),
  };
}
