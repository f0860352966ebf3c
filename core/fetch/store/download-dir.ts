import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sha256 } from '../../model/ids.js';
import { sha256File } from '../checksum.js';
import { FileLock, type LockWaitOptions } from './file-lock.js';
import { PartialFile, type OpenPartial } from './partial-file.js';

// The download folder holds only verified files under their final names.
// A file arrives under a temporary name, is hashed, and is renamed only when
// its sha256 is the expected one; a `<name>.sha256` note beside it records
// the verified sum and size so later runs need not hash it again.
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

  /** Where a download of `name` with this sum waits for its last bytes; named by sum, so another version never resumes it. */
  partialPath(name: string, sha256: Sha256): string {
    return join(this.dir, `.${name}.${sha256.slice(0, 16)}.part`);
  }

  /** Waits for and takes the lock on one name. */
  lock(name: string, opts?: LockWaitOptions): Promise<FileLock> {
    return FileLock.acquire(this.lockPath(name), opts);
  }

  /** Opens the partial download of `name` (only while holding its lock), keeping what is there. */
  openPartial(name: string, sha256: Sha256): Promise<PartialFile> {
    return PartialFile.open(this.partialPath(name, sha256), this.openPartialFile);
  }

  /** Opens a throw-away file under a name no other process uses (for a download that gets no final name). */
  openTemp(name: string): Promise<PartialFile> {
    return PartialFile.open(this.tempPath(name), this.openPartialFile);
  }

  /** Gives a finished partial its final name; the caller has compared `sha256`, the sum of the bytes written, with the expected one. */
  async commitVerified(partial: string, name: string, sha256: Sha256, size: number): Promise<void> {
    const final = this.finalPath(name);
    await rename(partial, final);
    await this.writeNote(final, sha256, size);
  }

  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** 'ok' when present and verified, 'absent', or the wrong sum it has. */
  async check(name: string, sha256: Sha256): Promise<'ok' | 'absent' | { actual: Sha256 }> {
    const path = this.finalPath(name);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return 'absent';
    }
    try {
      const [sum, bytes] = (await readFile(`${path}.sha256`, 'utf8')).trim().split(/\s+/);
      if (sum === sha256 && Number(bytes) === size) return 'ok';
    } catch {
      /* no note yet: hash the file */
    }
    const actual = await sha256File(path);
    if (actual !== sha256) return { actual };
    await this.writeNote(path, sha256, size);
    return 'ok';
  }

  private async writeNote(path: string, sha256: string, size: number): Promise<void> {
    const tmp = `${path}.sha256.tmp-${process.pid}`;
    await writeFile(tmp, `${sha256} ${size}\n`);
    await rename(tmp, `${path}.sha256`);
  }

  /**
   * Verifies a temp file and moves it under its final name, or deletes it.
   * Returns the actual sum when it does not match.
   */
  async commit(tmp: string, name: string, sha256: Sha256): Promise<{ ok: true } | { ok: false; actual: Sha256 }> {
    const actual = await sha256File(tmp);
    if (actual !== sha256) {
      await rm(tmp, { force: true });
      return { ok: false, actual };
    }
    const final = this.finalPath(name);
    await rename(tmp, final);
    await this.writeNote(final, sha256, (await stat(final)).size);
    return { ok: true };
  }
}
