// Dynamic mode (DESIGN.md §2): the same parts a box was linked from,
// instantiated separately and wired in JavaScript, with box:app and
// box:config in JS. It serves engines without multi-memory and is a second
// implementation of the box contract: tests expect identical results.

import { boxAppImports, boxConfigImports, CONTROL, ERRNO_NOSYS, type BoxParts } from '@marcotte/abi';
import { wasiImportProblem } from '@marcotte/linker/runtime';
import { enterWorkdir, exportCwdFunctions } from './dynamic-workdir.ts';
import { formatCall } from './trace.ts';

type Fn = (...args: unknown[]) => unknown;

/** A zero of a result type, as the linker's stubs answer. */
const zero = (results: readonly string[]) => () => (results[0] === 'i64' ? 0n : results.length ? 0 : undefined);

/**
 * Instantiates the parts against `host` (node:wasi's wasi_snapshot_preview1
 * functions) and returns what a WASI host starts: the program's memory and a
 * `_start` that runs each capability's init, then the program.
 *
 * `granted` is the authority of the box the parts came from: the host
 * functions its own import section imports (hostImportNames). The parts are
 * as untrusted as any custom section, so every other host function, whatever
 * the parts' own `denied` list says, answers ENOSYS, as the linker's stubs
 * for denied functions do in the static box.
 */
export async function instantiateParts(parts: BoxParts, host: Record<string, Fn>, granted: ReadonlySet<string>, trace?: (line: string) => void): Promise<{
  exports: { memory: WebAssembly.Memory; _start: () => void };
  capabilities: Map<string, WebAssembly.Instance>;
}> {
  // Called as methods: older node:wasi versions need `this` to be their import object.
  const hostFn = (name: string): Fn => {
    if (!granted.has(name)) return () => ERRNO_NOSYS;
    const fn = host[name];
    if (typeof fn !== 'function') throw new Error(`the host does not provide wasi_snapshot_preview1.${name}`);
    return fn.bind(host);
  };
  const instances = new Map<string, WebAssembly.Instance>();
  let app: WebAssembly.Instance | undefined;
  const appMemory = () => app!.exports.memory as WebAssembly.Memory;

  // Every part's host imports must have preview1's types before anything is compiled (a part is a file anyone can edit).
  for (const [who, wasm] of [['the program', parts.program], ...parts.capabilities.map((c) => [`capability ${c.name}`, c.wasm] as const)] as const) {
    const problem = wasiImportProblem(wasm);
    if (problem) throw new Error(`${who}: ${problem}`);
  }
  for (const cap of parts.capabilities) {
    const module = await WebAssembly.compile(cap.wasm as Uint8Array<ArrayBuffer>);
    let own: WebAssembly.Memory | undefined;
    const local = () => own!;
    const imports: Record<string, Record<string, unknown>> = {
      'box:app': boxAppImports(appMemory, local),
      'box:config': boxConfigImports(cap.config, local),
    };
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.module === 'wasi_snapshot_preview1') (imports[imp.module] ??= {})[imp.name] = hostFn(imp.name);
      else if (imp.module.startsWith('box:') && imp.module !== 'box:app' && imp.module !== 'box:config') {
        const target = imp.module.slice(4);
        const stub = cap.stubs.find((s) => s.module === imp.module && s.name === imp.name);
        // Bound late: capabilities may call each other in either direction.
        (imports[imp.module] ??= {})[imp.name] = stub ? zero(stub.results)
          : (...args: unknown[]) => (instances.get(target)!.exports[imp.name] as Fn)(...args);
      }
    }
    const instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
    own = instance.exports.memory as WebAssembly.Memory;
    instances.set(cap.name, instance);
  }

  const provider = new Map<string, Fn>();
  for (const cap of parts.capabilities) {
    for (const name of cap.provides) provider.set(name, instances.get(cap.name)!.exports[name] as Fn);
  }
  // The program starts in the directory the first capability answering workdir gives, when it can,
  // as in the static box (abi controls.ts; dynamic-workdir.ts).
  const workdirFrom = parts.capabilities.map((c) => instances.get(c.name)!).find((i) => typeof i.exports[CONTROL.workdir] === 'function');
  const withCwd = workdirFrom ? exportCwdFunctions(parts.program) : undefined;
  const program = await WebAssembly.compile((withCwd ?? parts.program) as Uint8Array<ArrayBuffer>);
  const wasi: Record<string, unknown> = {};
  for (const imp of WebAssembly.Module.imports(program)) {
    if (imp.module !== 'wasi_snapshot_preview1') continue;
    const fn = provider.get(imp.name) ?? hostFn(imp.name);
    // --trace in dynamic mode: each call is printed as it happens (before it runs, then with its result).
    wasi[imp.name] = trace ? tracing(imp.name, fn, trace) : fn;
  }
  app = await WebAssembly.instantiate(program, { wasi_snapshot_preview1: wasi } as WebAssembly.Imports);
  const inits = parts.capabilities.flatMap((c) => (c.init ? [instances.get(c.name)!.exports[c.init] as Fn] : []));
  const entry = (app.exports._start ?? app.exports._initialize) as Fn;
  return {
    exports: {
      memory: appMemory(),
      _start: () => {
        for (const init of inits) init();
        if (workdirFrom && withCwd) enterWorkdir(app!, workdirFrom);
        entry();
      },
    },
    capabilities: instances,
  };
}

function tracing(name: string, fn: Fn, trace: (line: string) => void): Fn {
  return (...args: unknown[]) => {
    const asBig = args.map((a) => (typeof a === 'bigint' ? a : BigInt((a as number) >>> 0)));
    if (name === 'proc_exit') trace(formatCall(name, asBig, undefined));
    const result = fn(...args);
    if (name !== 'proc_exit') trace(formatCall(name, asBig, result as number));
    return result;
  };
}
