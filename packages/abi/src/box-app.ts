// box:app in JavaScript: the interface a capability uses to reach the app's
// memory, for modules instantiated separately (dynamic mode, unit tests).
// The static linker synthesizes the same functions in Wasm (linker/glue.ts).

type Mem = () => WebAssembly.Memory;

/** The box:app import object for a capability whose memory is `local()`. */
export function boxAppImports(app: Mem, local: Mem): Record<string, (...args: never[]) => unknown> {
  // Views are rebuilt only when a memory grows (its buffer changes).
  let appBuffer: ArrayBuffer | undefined;
  let appView = new DataView(new ArrayBuffer(0));
  let appBytes = new Uint8Array(0);
  const view = (): DataView => {
    const buffer = app().buffer as ArrayBuffer;
    if (buffer !== appBuffer) {
      appBuffer = buffer;
      appView = new DataView(buffer);
      appBytes = new Uint8Array(buffer);
    }
    return appView;
  };
  const bytes = (): Uint8Array => {
    view();
    return appBytes;
  };
  return {
    size: (): bigint => BigInt(app().buffer.byteLength),
    copy_in: (dst: number, src: number, len: number): void => {
      new Uint8Array(local().buffer, dst >>> 0, len >>> 0).set(bytes().subarray(src >>> 0, (src >>> 0) + (len >>> 0)));
    },
    copy_out: (dst: number, src: number, len: number): void => {
      bytes().set(new Uint8Array(local().buffer, src >>> 0, len >>> 0), dst >>> 0);
    },
    load_u8: (ptr: number): number => view().getUint8(ptr >>> 0),
    store_u8: (ptr: number, v: number): void => view().setUint8(ptr >>> 0, v),
    load_u32: (ptr: number): number => view().getUint32(ptr >>> 0, true) | 0,
    store_u32: (ptr: number, v: number): void => view().setUint32(ptr >>> 0, v >>> 0, true),
    load_u64: (ptr: number): bigint => view().getBigInt64(ptr >>> 0, true),
    store_u64: (ptr: number, v: bigint): void => view().setBigInt64(ptr >>> 0, v, true),
  };
}

/** box:config in JavaScript: hands a capability its link-time segments. */
export function boxConfigImports(segments: readonly Uint8Array[], local: Mem): Record<string, (...args: never[]) => unknown> {
  return {
    size: (segment: number): number => segments[segment]?.length ?? 0,
    copy: (segment: number, dst: number, offset: number, len: number): void => {
      const bytes = segments[segment] ?? new Uint8Array(0);
      new Uint8Array(local().buffer, dst >>> 0, len >>> 0).set(bytes.subarray(offset >>> 0, (offset >>> 0) + (len >>> 0)));
    },
  };
}
