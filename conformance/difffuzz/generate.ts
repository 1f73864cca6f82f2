// Seeded syscall scripts for interp.c: an initial tree (written into the
// host directory for node:wasi and into the box's image under /work) and a
// list of operations over a small set of names, so that they collide:
// create what another removes, rename over what a third has open, and so on.

import { rng } from '../rng.ts';

export interface TreeEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  data?: string;
  target?: string;
}

export interface Script {
  seed: number;
  tree: TreeEntry[];
  lines: string[];
}


const NAMES = ['a', 'b', 'c', 'd'];
const FLAGS = ['r', 'w', 'rw', 'wc', 'rwc', 'wct', 'rwcx', 'wca', 'rwca', 'rd', 'rn', 'wcx', 'rwt'];

/** Operations and their weights. */
const OPS: [op: string, weight: number][] = [
  ['open', 14], ['close', 5], ['write', 10], ['read', 8], ['pwrite', 4], ['pread', 4], ['seek', 5], ['fstat', 3],
  ['ftruncate', 3], ['fsync', 1], ['stat', 5], ['lstat', 3], ['mkdir', 6], ['rmdir', 4], ['unlink', 5],
  ['truncate', 3], ['rename', 6], ['link', 3], ['symlink', 4], ['readlink', 3], ['readdir', 5],
];
const TOTAL = OPS.reduce((n, [, w]) => n + w, 0);

export function generate(seed: number, length = 60): Script {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)]!;
  /** a path of one or two names, now and then with ".", ".." or a trailing slash */
  const path = (): string => {
    const depth = 1 + (r(3) === 0 ? 1 : 0);
    const parts = Array.from({ length: depth }, () => pick(NAMES));
    const roll = r(200);
    if (roll === 0) parts.push('.');
    if (roll === 1) return `${parts.join('/')}/`;
    if (roll === 2) return `${parts[0]}/./${parts.at(-1)}`;
    if (roll === 3) return `${parts[0]}/../${parts.at(-1)}`;
    return parts.join('/');
  };
  /** symlink targets: names in the tree, now and then dangling, a directory, climbing with ".." or absolute */
  const target = (): string => {
    const roll = r(40);
    if (roll === 0) return `/${pick(NAMES)}`;
    if (roll === 1) return `../${pick(NAMES)}`;
    return pick([pick(NAMES), `${pick(NAMES)}/${pick(NAMES)}`, 'missing', pick(NAMES)]);
  };
  const slot = () => String(r(4));
  const size = () => pick([0, 1, 5, 16, 100, 4096, 5000]);
  const offset = () => pick([0, 0, 1, 3, 10, 100, 5000]);

  const tree: TreeEntry[] = [];
  for (const name of NAMES) {
    const kind = r(4);
    if (kind === 0) tree.push({ path: name, type: 'file', data: `${name} initial ${'x'.repeat(r(20))}` });
    if (kind === 1) {
      tree.push({ path: name, type: 'dir' });
      if (r(2)) tree.push({ path: `${name}/${pick(NAMES)}`, type: 'file', data: `in ${name}` });
    }
    if (kind === 2 && r(2)) tree.push({ path: name, type: 'symlink', target: pick(NAMES.filter((n) => n !== name)) });
  }

  const lines: string[] = [];
  for (let i = 0; i < length; i++) {
    let w = r(TOTAL);
    let op = OPS[0]![0];
    for (const [name, weight] of OPS) {
      if (w < weight) {
        op = name;
        break;
      }
      w -= weight;
    }
    switch (op) {
      case 'open': lines.push(`open ${slot()} ${path()} ${pick(FLAGS)}`); break;
      case 'close': case 'fstat': case 'fsync': lines.push(`${op} ${slot()}`); break;
      case 'write': case 'read': lines.push(`${op} ${slot()} ${size()}`); break;
      case 'pwrite': case 'pread': lines.push(`${op} ${slot()} ${size()} ${offset()}`); break;
      case 'seek': lines.push(`seek ${slot()} ${pick([0, 1, 7, -1, -3, 100])} ${pick(['s', 'c', 'e'])}`); break;
      case 'ftruncate': lines.push(`ftruncate ${slot()} ${size()}`); break;
      case 'truncate': lines.push(`truncate ${path()} ${size()}`); break;
      case 'rename': case 'link': lines.push(`${op} ${path()} ${path()}`); break;
      case 'symlink': lines.push(`symlink ${target()} ${path()}`); break;
      default: lines.push(`${op} ${path()}`);
    }
  }
  // the final state, as both see it
  for (const name of NAMES) lines.push(`lstat ${name}`);
  lines.push('readdir .');
  return { seed, tree, lines };
}
