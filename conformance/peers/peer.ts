// What the runner asks of a peer WASI host (conformance/runner/child.ts runs
// one per child process): run a program with its args and env and the
// fixture directories preopened under their guest names (each a writable
// host copy the peer may load into its own in-memory filesystem), write what
// it prints to this process's stdout and stderr, and resolve to its exit code.

import { readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface PeerJob {
  program: Uint8Array;
  /** argv[0] */
  name: string;
  args: string[];
  env: Record<string, string>;
  /** guest name -> host directory */
  preopens: Array<[guest: string, host: string]>;
}

export type Peer = (job: PeerJob) => Promise<number>;

/** A host directory as a tree: a file's bytes, or a directory's entries (the fixtures hold nothing else). */
export type Tree = Map<string, Uint8Array | Tree>;

export function readTree(dir: string): Tree {
  const tree: Tree = new Map();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) tree.set(e.name, readTree(join(dir, e.name)));
    else if (e.isFile()) tree.set(e.name, new Uint8Array(readFileSync(join(dir, e.name))));
  }
  return tree;
}

/** Writes all of `bytes` to host fd 1 or 2, in order with everything else the program printed. */
export function writeOut(fd: 1 | 2, bytes: Uint8Array | string): void {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  for (let at = 0; at < b.length; ) at += writeSync(fd, b, at, b.length - at);
}
