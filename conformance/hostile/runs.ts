// The hostile corpus: which program runs with which arguments and vfs
// limits. Each run's expected stdout is in <program>.json under the run's
// label (written by generate.ts from the box, then reviewed by hand).

import type { ImageOptions } from '@marcotte/vfs';

export interface HostileRun {
  program: string;
  label: string;
  args: string[];
  limits: ImageOptions;
}

export const RUNS: readonly HostileRun[] = [
  { program: 'fd_hostile', label: 'default', args: [], limits: {} },
  { program: 'path_hostile', label: 'default', args: [], limits: {} },
  { program: 'misc_hostile', label: 'default', args: [], limits: {} },
  // the kernel's fd table (1024 fds) runs out first
  { program: 'exhaust', label: 'fds', args: ['fds'], limits: {} },
  // the vfs's own handle limit runs out first
  { program: 'exhaust', label: 'fds, 16 vfs handles', args: ['fds'], limits: { maxHandles: 16 } },
  { program: 'exhaust', label: 'quota of 64 KiB', args: ['quota'], limits: { quota: 65536 } },
  { program: 'exhaust', label: 'vfs memory of 32 pages', args: ['vfsmem'], limits: { maxPages: 32, quota: 1 << 30 } },
  { program: 'exhaust', label: 'app memory of 8 MiB', args: ['appmem'], limits: {} },
];

export type Expectations = Record<string, string[]>;
