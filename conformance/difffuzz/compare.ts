// Compares the two outputs of a script line by line. The first line that
// differs is the script's divergence: every later line may follow from it
// (the two trees are no longer the same), so comparison stops there. A
// divergence is explained when one of RULES matches it; each rule names the
// entry of conformance/fs/deviations.json that documents it (the fs corpus
// checks the same behaviour on its own, so the entry cannot go stale).

import type { Outcome } from './run.ts';

export interface Divergence {
  seed: number;
  line: number;
  node: string | undefined;
  box: string | undefined;
  /** the deviations.json entry that explains it: [program, check label] */
  explained?: [string, string];
}

interface Rule {
  deviation: [string, string];
  /** op and args of the script line, and the two results */
  matches(op: string, args: string[], node: string, box: string): boolean;
}

const result = (line: string | undefined) => line?.slice(line.indexOf(' -> ') + 4) ?? '(missing)';
/** a path with a "." or ".." after its first component: node:wasi normalizes it lexically, Linux and the vfs resolve it */
const hasDot = (p: string | undefined): boolean => p?.split('/').slice(1).some((c) => c === '.' || c === '..') === true;

export const RULES: Rule[] = [
  {
    deviation: ['paths', 'dotdot through file'],
    matches: (op, args) => (op === 'symlink' ? hasDot(args[1]) : args.some(hasDot)),
  },
  {
    // node:wasi refuses a target climbing out of the directory when the link is made; the vfs checks when it is followed
    deviation: ['paths', 'symlinkat target escaping its dir fd'],
    matches: (op, args, node) => op === 'symlink' && args[0]!.split('/').includes('..') && node === 'ENOTCAPABLE',
  },
  {
    deviation: ['open', 'creat file with trailing slash'],
    matches: (op, args, node, box) => op === 'open' && args[2]!.includes('c') && args[1]!.endsWith('/') && node === 'ENOTDIR' && box === 'EISDIR',
  },
  {
    deviation: ['rw', 'read dir'],
    matches: (op, _, node, box) => op === 'read' && node === 'EBADF' && box === 'EISDIR',
  },
  {
    deviation: ['rw', 'pread dir'],
    matches: (op, _, node, box) => op === 'pread' && node === 'EBADF' && box === 'EISDIR',
  },
  {
    deviation: ['open', 'nofollow on symlink'],
    matches: (op, args, node, box) => op === 'open' && args[2]!.includes('n') && box === 'ELOOP' && node !== 'ELOOP',
  },
  {
    deviation: ['seek', 'seek dir'],
    matches: (op, _, node, box) => op === 'seek' && node === 'ESPIPE' && box === 'EBADF',
  },
];

/** The first differing line of an outcome (or its exit codes), explained or not; undefined when they agree. */
export function divergence(o: Outcome): Divergence | undefined {
  const n = Math.max(o.node.length, o.box.length);
  for (let i = 0; i < n; i++) {
    const node = o.node[i];
    const box = o.box[i];
    if (node === box) continue;
    const d: Divergence = { seed: o.seed, line: i + 1, node, box };
    const words = (o.script[i] ?? '').split(' ');
    const rule = RULES.find((r) => r.matches(words[0]!, words.slice(1), result(node), result(box)));
    if (rule && node !== undefined && box !== undefined) d.explained = rule.deviation;
    return d;
  }
  if (o.nodeExit !== o.boxExit) return { seed: o.seed, line: n + 1, node: `exit ${o.nodeExit}`, box: `exit ${o.boxExit}` };
  return undefined;
}
