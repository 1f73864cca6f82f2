// What the vfs benchmark asks of each WASI host: run fsops.wasm once, with a
// fresh, empty /work, and hand back what it printed on stdout.

export interface Peer {
  name: string;
  /** why this peer cannot run at all here, when it cannot (then `run` is never called) */
  unavailable?: string;
  /** operations this peer leaves out, with the reason (printed as n/a) */
  skip?: Readonly<Record<string, string>>;
  /** notes on how an operation ran on this peer (printed under the table) */
  notes?: Readonly<Record<string, string>>;
  /** runs the program with argv[1..] = args; resolves to its stdout, rejects on a non-zero exit */
  run(args: readonly string[]): Promise<string>;
}

/** Where every peer mounts its (fresh, empty) directory for the program. */
export const WORK = '/work';

export function checkExit(name: string, code: number | undefined, stderr = ''): void {
  if (code) throw new Error(`${name}: exit code ${code}${stderr ? `: ${stderr.trim()}` : ''}`);
}

export function unavailable(name: string, why: string): Peer {
  return { name, unavailable: why, run: () => Promise.reject(new Error(why)) };
}
