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

export function diskFull(e: unknown): TaskFailed | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || !FULL.has(err.code ?? '')) return undefined;
  const where = err.path ?? (err as { dest?: string }).dest ?? '';
  const dir = where ? dirname(where) : 'the build folder';
  return new TaskFailed(
    `no space left on the device holding ${dir} (${where ? freeSpace(where) : 'while writing'}${err.code === 'EDQUOT' ? ', disk quota reached' : ''}): free some space there, or point the build or cache folder at a larger disk, and build again`,
  );
}
