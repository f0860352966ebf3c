import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { link, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// A file (or folder) appears under its final name only once complete:
// written under a temporary name in the same folder (so the rename stays on
// one filesystem and is atomic, POSIX rename(2)), then renamed. Whatever
// goes wrong before the rename leaves nothing under the final name (an
// older file there stays as it was) and the temporary is removed. This is
// Buildroot's and BitBake's habit for downloads, and the rule for every
// output Strata writes (docs/architecture.md).
//
// `durable` adds fsync(2) of the file before the rename and of its folder
// after it, for what must survive a power cut once written (a verified
// download, a cache object): without it, a crash soon after the rename can
// leave the final name pointing at an empty or short file on some
// filesystems. Cheap files that are rebuilt anyway (stamps, indexes) skip it.

export interface AtomicOptions {
  /** fsync the file before the rename and its folder after (see above). */
  readonly durable?: boolean;
  /** Never replace what is already at the final name: the commit fails instead (another process made it first). */
  readonly exclusive?: boolean;
}

/** A temporary name beside `path`: hidden, and unique to this process and call. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.part-${process.pid}-${randomBytes(3).toString('hex')}`);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Gives a finished temporary file or folder its final name. A folder
 * replaces an existing one by moving that aside first (rename cannot
 * replace a non-empty folder), so readers see the old folder or the new one.
 */
export async function commitTemp(tmp: string, out: string, opts: AtomicOptions = {}): Promise<void> {
  const isDir = (await stat(tmp)).isDirectory();
  if (opts.durable && !isDir) await fsyncPath(tmp);
  if (opts.exclusive) {
    // link(2) fails when the name exists; rename(2) of a folder fails when a non-empty one is there.
    if (isDir) await rename(tmp, out);
    else await link(tmp, out).then(() => rm(tmp));
  } else if (isDir && (await stat(out).catch(() => undefined))?.isDirectory()) {
    const old = tempPathFor(out);
    await rename(out, old);
    try {
      await rename(tmp, out);
    } catch (e) {
      await rename(old, out).catch(() => {});
      throw e;
    }
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, out);
  }
  if (opts.durable) await fsyncPath(dirname(out));
}

/**
 * Calls `fill` with a temporary path beside `out` to write to (a file or a
 * folder), then renames it to `out`. If `fill` throws, or leaves nothing at
 * the temporary path (it decided not to write), `out` is left alone. The
 * temporary is removed in every case.
 */
export async function writeAtomically<T>(out: string, fill: (tmp: string) => Promise<T>, opts: AtomicOptions = {}): Promise<T> {
  const tmp = tempPathFor(out);
  try {
    const result = await fill(tmp);
    if (await stat(tmp).catch(() => undefined)) await commitTemp(tmp, out, opts);
    return result;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Writes `data` to `out` atomically (see writeAtomically). */
export function writeFileAtomically(out: string, data: string | Uint8Array, opts: AtomicOptions & { readonly mode?: number } = {}): Promise<void> {
  return writeAtomically(out, (tmp) => writeFile(tmp, data, { mode: opts.mode }), opts);
}

/** Writes `data` to `out` atomically, synchronously: for small files written where nothing can wait (the parse cache). */
export function writeFileAtomicallySync(out: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(out);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
}
