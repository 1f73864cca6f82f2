// The vfs's link-time limits as options of box-link and box build (--vfs-*):
// parsed and checked here, baked into the image header by the vfs.

import type { VfsLimits } from '@marcotte/abi';
import { parseSize, UsageError, value, type OptionSpec, type Parsed } from './args.ts';

export const VFS_LIMITS_HELP = `vfs limits (baked into the box's image; SIZE takes k, m, g):
  --vfs-quota SIZE    file bytes the program may add beyond the image (default 256m; ENOSPC)
  --vfs-max-meta SIZE names, inodes and symlink targets it may add (default 64m, 4k to 4g-1; ENOSPC)
  --vfs-max-file SIZE largest file (default 1g, at most 2g; EFBIG)
  --vfs-max-path N    longest path in bytes, also of any node from / (default 4096; ENAMETOOLONG)
  --vfs-max-handles N open files and directories (default 1024; EMFILE)
  --vfs-memory SIZE   the vfs memory's own ceiling (default none: box run --memory gives one; 2m to 4g)`;

export const VFS_LIMIT_SPECS: OptionSpec[] = ['vfs-quota', 'vfs-max-meta', 'vfs-max-file', 'vfs-max-path', 'vfs-max-handles', 'vfs-memory']
  .map((name) => ({ name, value: true }));

function inRange(command: string, option: string, n: number, min: number, max: number): number {
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${command}: ${option} must be from ${min} to ${max}, got ${n}`);
  return n;
}

function count(command: string, option: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${command}: ${option} expects a number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** The --vfs-* options given, as the vfs's limits; undefined when none is. */
export function vfsLimits(command: string, args: Parsed): VfsLimits | undefined {
  const limits: VfsLimits = {};
  const size = (name: string) => {
    const text = value(args, name);
    return text === undefined ? undefined : parseSize(command, `--${name}`, text);
  };
  const quota = size('vfs-quota');
  if (quota !== undefined) limits.quota = inRange(command, '--vfs-quota', quota, 0, Number.MAX_SAFE_INTEGER);
  const meta = size('vfs-max-meta');
  if (meta !== undefined) limits.maxMeta = inRange(command, '--vfs-max-meta', meta, 4096, 0xffff_ffff);
  const file = size('vfs-max-file');
  if (file !== undefined) limits.maxFileSize = inRange(command, '--vfs-max-file', file, 0, 2 ** 31);
  const path = value(args, 'vfs-max-path');
  if (path !== undefined) limits.maxPath = inRange(command, '--vfs-max-path', count(command, '--vfs-max-path', path), 1, 1 << 20);
  const handles = value(args, 'vfs-max-handles');
  if (handles !== undefined) limits.maxHandles = inRange(command, '--vfs-max-handles', count(command, '--vfs-max-handles', handles), 1, 0x7fff_ffff);
  const memory = size('vfs-memory');
  if (memory !== undefined) limits.maxPages = Math.ceil(inRange(command, '--vfs-memory', memory, 32 * 65536, 2 ** 32) / 65536);
  return Object.keys(limits).length ? limits : undefined;
}
