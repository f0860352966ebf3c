import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

// One process at a time per file in a shared folder.
//
// Why a lock file holding its owner rather than flock(2): Node has no flock,
// and a helper process per file would make a missing util-linux a fetch
// failure. A lock file is also something a user can `cat` to see who holds
// it. Its cost is staleness: a process killed with SIGKILL leaves its lock
// behind. So the file names its owner by host, pid namespace, pid and the
// pid's start time, and a waiter on the same host and namespace that finds
// the owner dead (or the pid reused by a younger process) removes it. An
// owner on another host, or in another pid namespace, cannot be judged from
// here, so its lock is waited for and never broken.
//
// The lock is taken with link(2) of a fully written temp file, which fails
// when the name exists: the lock appears atomically with its content (no
// half-written lock to misjudge), and link is atomic on NFS too, where
// O_EXCL historically was not.

export interface LockOwner {
  readonly host: string;
  readonly pidns: string;
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: tells a live owner from a later process given the same pid. */
  readonly start: string;
}

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/** The start time of a process, or undefined when it does not exist (or /proc cannot say). */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is only someone else's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function currentOwner(): LockOwner {
  return { host: hostname(), pidns: pidNamespace(), pid: process.pid, start: startTime(process.pid) ?? '' };
}

/** True only when the owner provably no longer runs. */
export function isStale(owner: LockOwner, me: LockOwner = currentOwner()): boolean {
  if (owner.host !== me.host || owner.pidns !== me.pidns) return false;
  if (!alive(owner.pid)) return true;
  const start = startTime(owner.pid);
  return Boolean(owner.start && start && start !== owner.start);
}

const sameOwner = (a: LockOwner | undefined, b: LockOwner | undefined): boolean =>
  !!a && !!b && a.host === b.host && a.pidns === b.pidns && a.pid === b.pid && a.start === b.start;

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

// A breaker file is held only for the few milliseconds it takes to re-read
// and remove a stale lock, and a lock file is never without its owner (see
// tryLink); either one older than this with no owner to judge was left by
// a process that died in between, or by something other than Strata.
const ABANDONED_MS = 30_000;

const ageMs = (path: string): Promise<number> =>
  stat(path).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );

export interface LockWaitOptions {
  /** Called once for each owner this process starts waiting for. */
  readonly onWait?: (owner: LockOwner, stale: boolean) => void;
  readonly signal?: AbortSignal;
}

export class FileLock {
  private constructor(
    readonly path: string,
    private readonly owner: LockOwner,
  ) {}

  /** Takes the lock at `path`, waiting while a live process holds it and removing a dead one's. */
  static async acquire(path: string, opts: LockWaitOptions = {}): Promise<FileLock> {
    const me = currentOwner();
    const text = JSON.stringify(me) + '\n';
    let waitedFor: LockOwner | undefined;
    let pause = 20;
    for (;;) {
      opts.signal?.throwIfAborted();
      if (await tryLink(path, text)) return new FileLock(path, me);
      const owner = await readOwner(path);
      if (!owner) {
        // Released between our link and our read (try again), or not a lock
        // this code wrote: removed once it is clearly abandoned.
        if ((await ageMs(path)) > ABANDONED_MS) await unlink(path).catch(() => {});
        await sleep(pause, undefined, { signal: opts.signal });
        continue;
      }
      const stale = isStale(owner, me);
      if (!sameOwner(owner, waitedFor)) {
        opts.onWait?.(owner, stale);
        waitedFor = owner;
      }
      if (stale) {
        await breakStale(path, owner, text);
        continue;
      }
      await sleep(pause, undefined, { signal: opts.signal });
      pause = Math.min(pause * 2, 500);
    }
  }

  /** Removes the lock, unless someone else holds it by now (then it was never ours to remove). */
  async release(): Promise<void> {
    if (sameOwner(await readOwner(this.path), this.owner)) await unlink(this.path).catch(() => {});
  }
}

async function tryLink(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, text);
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

// Two waiters may find the same stale lock. Removing it is done under a
// second, short-lived lock and only if the lock still names the dead owner,
// so a waiter that is late never removes the lock another one just took.
async function breakStale(path: string, dead: LockOwner, text: string): Promise<void> {
  const breaker = `${path}.break`;
  if (!(await tryLink(breaker, text))) {
    if ((await ageMs(breaker)) > ABANDONED_MS) await unlink(breaker).catch(() => {});
    else await sleep(10);
    return;
  }
  try {
    if (sameOwner(await readOwner(path), dead)) await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}
