// A child process run to its end without blocking the test's thread, as spawnSync would: the
// cases of a concurrent suite read their own children meanwhile.

import { spawn } from 'node:child_process';

export interface Spawned {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `command args`, started in `cwd` with no stdin; its exit status (null after a signal) and output. */
export async function spawned(command: string, args: string[], cwd: string): Promise<Spawned> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => void (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { status, stdout, stderr };
}
