import { mkdir } from 'node:fs/promises';
import type { BuildLayout } from '../config/build-layout.js';
import { FileLock, type LockOwner } from '../fetch/store/file-lock.js';
import { useBuildUmask } from './build-umask.js';

// One build folder runs one build at a time. Two builds in one folder would
// run the same task in the same work folder at once, interleave its output
// and store that garbage in the cache under the real signature. The lock is
// the download folder's kind (core/fetch/store/file-lock.ts): it names its owner,
// so a waiter can say whom it waits for, and a dead owner's lock is removed.

export async function lockBuildFolder(
  layout: Pick<BuildLayout, 'buildDir' | 'lockFile'>,
  say: (text: string) => void,
  signal?: AbortSignal,
): Promise<FileLock> {
  const { buildDir } = layout;
  // Taking the build folder is where a build starts: from here on, the build's umask (build-umask.ts).
  useBuildUmask();
  await mkdir(buildDir, { recursive: true });
  return FileLock.acquire(layout.lockFile, {
    signal,
    onWait: (owner: LockOwner, stale: boolean) =>
      say(
        stale
          ? `${buildDir}: removing the lock of strata PID ${owner.pid} on ${owner.host}, which is no longer running`
          : `${buildDir} is in use by strata PID ${owner.pid} on ${owner.host}: waiting for it to finish (one build per build folder)`,
      ),
  });
}
