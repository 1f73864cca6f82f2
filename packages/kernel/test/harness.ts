// Runs the kernel module on its own, wired in JavaScript: box:app over a test
// app memory, and a scripted host whose calls are recorded. Used by the
// kernel's unit tests.

import { ERRNO_BADF, ERRNO_NOSYS, ERRNO_SUCCESS, PREOPENTYPE_DIR, boxAppImports, boxConfigImports, type ImageEntry } from '@marcotte/abi';
import { encodeImage, vfs } from '@marcotte/vfs';
import { kernelConfig } from '../src/index.ts';
import { wasm } from '../src/wasm.ts';

/** A scripted host function; `app` views the app memory, where a real host writes results. */
type HostFn = (app: DataView, ...args: (number | bigint)[]) => number | undefined;

export interface HostCall {
  name: string;
  args: (number | bigint)[];
}

export interface Harness {
  kernel: Record<string, (...args: (number | bigint)[]) => number>;
  app: WebAssembly.Memory;
  view: DataView;
  calls: HostCall[];
  /** host calls of one function, in order */
  callsOf(name: string): HostCall[];
}

export interface HostScript {
  /** host fds that are preopened directories, from 3 up (the kernel stops at the first gap) */
  preopens?: number;
  /** overrides for host functions */
  host?: Record<string, HostFn>;
  /** link the real vfs driver over this image (otherwise box:vfs answers zeros, as the linker's stubs do) */
  image?: ImageEntry[];
  workdir?: string;
  /** mount points declared at link time */
  mounts?: string[];
  /** the box:net functions the kernel imports (otherwise zeros, as the linker's stubs) */
  net?: WebAssembly.ModuleImports;
  /** the box:clock functions the kernel imports (otherwise zeros, as the linker's stubs) */
  clock?: Record<string, (...args: never[]) => unknown>;
}

export async function kernelHarness(script: HostScript = {}): Promise<Harness> {
  const module = await WebAssembly.compile(wasm() as Uint8Array<ArrayBuffer>);
  const app = new WebAssembly.Memory({ initial: 1 });
  const calls: HostCall[] = [];
  const preopens = script.preopens ?? 1;
  const view = () => new DataView(app.buffer);
  // Host preopen i is named /mnt<i> (5 bytes).
  const defaults: Record<string, HostFn> = {
    fd_prestat_get: (app, fd, buf) => {
      if (Number(fd) < 3 || Number(fd) >= 3 + preopens) return ERRNO_BADF;
      app.setUint8(Number(buf), PREOPENTYPE_DIR);
      app.setUint32(Number(buf) + 4, 5, true);
      return ERRNO_SUCCESS;
    },
    fd_prestat_dir_name: (app, fd, path, len) => {
      if (Number(fd) < 3 || Number(fd) >= 3 + preopens) return ERRNO_BADF;
      new Uint8Array(app.buffer, Number(path), Math.min(5, Number(len))).set(new TextEncoder().encode(`/mnt${Number(fd) - 3}`));
      return ERRNO_SUCCESS;
    },
  };
  const host: Record<string, (...args: (number | bigint)[]) => number | undefined> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'wasi_snapshot_preview1') continue;
    const fn = script.host?.[imp.name] ?? defaults[imp.name] ?? (() => ERRNO_NOSYS);
    host[imp.name] = (...args: (number | bigint)[]) => {
      calls.push({ name: imp.name, args });
      return fn(view(), ...args);
    };
  }
  let kernelMemory: WebAssembly.Memory | undefined;
  const instance = await WebAssembly.instantiate(module, {
    'box:app': boxAppImports(() => app, () => kernelMemory!),
    'box:config': boxConfigImports([kernelConfig({ entrypoint: '', args: [], env: [], mountPoints: script.mounts ?? [] })], () => kernelMemory!),
    'box:vfs': script.image ? await vfsDriver(app, script.image, script.workdir) : notLinked(module, 'box:vfs'),
    'box:clock': script.clock ?? notLinked(module, 'box:clock'),
    'box:net': script.net ?? notLinked(module, 'box:net'),
    wasi_snapshot_preview1: host,
  } as WebAssembly.Imports);
  kernelMemory = instance.exports.memory as WebAssembly.Memory;
  const kernel = instance.exports as unknown as Harness['kernel'];
  kernel.init!();
  calls.length = 0;
  return {
    kernel,
    app,
    get view() {
      return new DataView(app.buffer);
    },
    calls,
    callsOf: (name) => calls.filter((c) => c.name === name),
  };
}

/** What the linker stands in for a capability that is not linked: functions answering zeros. */
function notLinked(module: WebAssembly.Module, name: string): Record<string, () => number | bigint> {
  return Object.fromEntries(WebAssembly.Module.imports(module).filter((i) => i.module === name).map((i) => [i.name, () => 0]));
}

/** The vfs driver, instantiated on its own over an image and wired to the same app memory. */
async function vfsDriver(app: WebAssembly.Memory, image: ImageEntry[], workdir?: string): Promise<WebAssembly.Exports> {
  let memory: WebAssembly.Memory | undefined;
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(vfs.wasm() as Uint8Array<ArrayBuffer>), {
    'box:app': boxAppImports(() => app, () => memory!),
    'box:config': boxConfigImports(encodeImage(image, { workdir }), () => memory!),
    'box:clock': { realtime: () => 0n },
  } as WebAssembly.Imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  return instance.exports;
}
