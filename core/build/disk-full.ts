import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { TaskFailed } from './context.js';

// A full disk is the user's problem to fix, not a bug: it becomes a task
// failure naming the folder and how much room is left there, instead of an
// unhandled error that aborts the whole build.

const FULL = new Set(['ENOSPC', 'EDQUOT']);

function freeSpace(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = statfsSync(p);
      return `${((s.bavail * s.bsize) / 1024 / 1024).toFixed(1)} MiB free`;
    } catch {
      if (p === dirname(p)) return 'free space unknown';
    }
  }
}

/** `workdir`: where the task writes, named when the error itself carries no path (a stream's write). */
export function diskFull(e: unknown, workdir: string): TaskFailed | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || !FULL.has(err.code ?? '')) return undefined;
  const path = err.path ?? (err as { dest?: string }).dest;
  const dir = path ? dirname(path) : workdir;
  return new TaskFailed(
    `no space left on the device holding ${dir} (${freeSpace(dir)}${err.code === 'EDQUOT' ? ', disk quota reached' : ''}): free some space there, or point the build or cache folder at a larger disk, and build again`,
  );
}
