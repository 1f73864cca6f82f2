// Messages between the page (index.ts) and the box's Web Worker (worker.ts).

export interface RunRequest {
  type: 'run';
  bytes: Uint8Array;
  /** argv, argv[0] (the entrypoint) first */
  args: string[];
  env: Record<string, string>;
  mode: 'static' | 'dynamic';
  /** the shared stdin channel, or (without cross-origin isolation) all of stdin up front */
  stdin: { channel: SharedArrayBuffer } | { bytes: Uint8Array };
  snapshot: boolean;
}

export type WorkerMessage =
  | { type: 'output'; fd: 1 | 2; data: Uint8Array }
  /** the stdin mailbox is empty again: the page may refill it */
  | { type: 'stdin-taken' }
  | { type: 'exit'; exitCode: number; snapshot?: Uint8Array | undefined }
  | { type: 'error'; kind: 'start' | 'trap'; message: string; snapshot?: Uint8Array | undefined };
