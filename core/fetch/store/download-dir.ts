import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sha256 } from '../../model/ids.js';
import { sha256File } from '../checksum.js';
import { FileLock, type LockWaitOptions } from './file-lock.js';
import { PartialFile, type OpenPartial } from './partial-file.js';
import { notedSum, writeNote } from './verified-note.js';
import { commitTemp } from '../../fs/atomic-write.js';

// The download folder holds only verified files under their final names.
// A file arrives under a temporary name, is hashed, and is renamed only when
// its sha256 is the expected one; a `<name>.sha256` note beside it records
// the verified sum and the file's identity (verified-note.ts) so later runs
// need not hash it again while it is the same file.
//
// Several Strata processes may share the folder. Everything that writes a
// name happens under `.<name>.lock` (file-lock.ts); the download itself goes
// to `.<name>.<sum>.part`, which only the lock holder touches, so a process
// killed mid-download leaves a partial that the next run resumes (and then
// verifies like any other file) rather than a half file under the final name.

export class DownloadDir {
  constructor(
    readonly dir: string,
    private readonly openPartialFile?: OpenPartial,
  ) {}

  finalPath(name: string): string {
    return join(this.dir, name);
  }

  tempPath(name: string): string {
    return join(this.dir, `.${name}.part-${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  lockPath(name: string): string {
    return join(this.dir, `.${name}.lock`);
  }

  /**
   * Where a download of `name` waits for its last bytes; named by what pins
   * its content (the sum, or a git commit id), so another version never
   * resumes it.
   */
  partialPath(name: string, pin: string): string {
    return join(this.dir, `.${name}.${pin.slice(0, 16)}.part`);
  }

  /** Waits for and takes the lock on one name. */
  lock(name: string, opts?: LockWaitOptions): Promise<FileLock> {
    return FileLock.acquire(this.lockPath(name), opts);
  }

  /** Opens the partial download of `name` (only while holding its lock), keeping what is there. */
  openPartial(name: string, pin: string): Promise<PartialFile> {
    return PartialFile.open(this.partialPath(name, pin), this.openPartialFile);
  }

  /** Opens a throw-away file under a name no other process uses (for a download that gets no final name). */
  openTemp(name: string): Promise<PartialFile> {
    return PartialFile.open(this.tempPath(name), this.openPartialFile);
  }

  /** Gives a finished partial its final name; the caller has compared `sha256`, the sum of the bytes written, with the expected one. */
  async commitVerified(partial: string, name: string, sha256: Sha256): Promise<void> {
    const final = this.finalPath(name);
    // Readable by the build sandbox's unprivileged uid, whatever umask `strata fetch` ran under.
    await chmod(partial, 0o644);
    // Durable: a verified download is trusted by its note from now on, so it must not come back short after a crash.
    await commitTemp(partial, final, { durable: true });
    await writeNote(final, sha256);
  }

  /** The sum last verified for `name`, while the file is still the one it was verified for. */
  notedSum(name: string): Promise<Sha256 | undefined> {
    return notedSum(this.finalPath(name));
  }

  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** 'ok' when present and verified, 'absent', or the wrong sum it has. */
  async check(name: string, sha256: Sha256): Promise<'ok' | 'absent' | { actual: Sha256 }> {
    const path = this.finalPath(name);
    if (!existsSync(path)) return 'absent';
    if ((await notedSum(path)) === sha256) return 'ok';
    // No note, an old one, or one for another file under this name: hash it.
    const actual = await sha256File(path);
    if (actual !== sha256) return { actual };
    await writeNote(path, sha256);
    return 'ok';
  }

  /**
   * Like check, for a file whose sum the recipe may not give (a git tarball
   * pinned by its commit): then the note written when it was made or
   * verified is the record, and without a valid note it counts as absent.
   */
  async checkPinned(name: string, sha256: Sha256 | undefined): Promise<'ok' | 'absent' | { actual: Sha256 }> {
    const sum = sha256 ?? (await this.notedSum(name));
    return sum ? this.check(name, sum) : 'absent';
  }
}
