import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open as openFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sha256 } from '../model/ids.js';
import { DownloadError } from './download-error.js';

// A download in progress: a file under a temporary name that is hashed as
// bytes are written, so verifying a 1 GiB download costs no second read of
// it. Bytes already in the file when it is opened (a download an earlier
// run left behind) are hashed once, first; a restart truncates the file and
// the hash together, so the sum always covers exactly the bytes on disk.

/** How a partial file is opened; tests replace it to make writes fail (e.g. with /dev/full). */
export type OpenPartial = (path: string) => Promise<FileHandle>;

const openForAppend: OpenPartial = (path) => openFile(path, 'a');

// Chunks from a socket are ~64 KiB; writing them one by one costs a thread
// pool round trip each. Gathering 1 MiB per write keeps the disk side far
// ahead of the hash.
const FLUSH_BYTES = 1 << 20;

export class PartialFile {
  private hash: Hash = createHash('sha256');
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private spliced = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  /** Opens (or creates) `path`, hashing whatever an earlier attempt left in it. */
  static async open(path: string, openPartial: OpenPartial = openForAppend): Promise<PartialFile> {
    let fh: FileHandle;
    try {
      fh = await openPartial(path);
    } catch (e) {
      throw writeError(path, e);
    }
    const p = new PartialFile(path, fh);
    try {
      const st = await fh.stat();
      if (st.isFile() && st.size > 0) await p.hashExisting(st.size);
    } catch (e) {
      await fh.close();
      throw e;
    }
    return p;
  }

  private hashExisting(bytes: number): Promise<void> {
    return new Promise((resolve, reject) => {
      createReadStream(this.path, { start: 0, end: bytes - 1, highWaterMark: FLUSH_BYTES })
        .on('data', (c) => {
          this.hash.update(c);
          this.size += c.length;
        })
        .on('error', reject)
        .on('end', resolve);
    });
  }

  /** Bytes in the file (written or pending), which is where a resumed download continues. */
  get bytes(): number {
    return this.size;
  }

  /** True when the file holds bytes from more than one response: a bad sum then may be the old part's fault. */
  get isSpliced(): boolean {
    return this.spliced;
  }

  /** The offset to ask a server to continue from; marks the file as spliced when it is not 0. */
  resumeOffset(): number {
    if (this.size > 0) this.spliced = true;
    return this.size;
  }

  async write(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.pendingBytes) return;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await this.fh.writev(chunks);
    } catch (e) {
      throw writeError(this.path, e);
    }
  }

  /** Starts over from byte 0 (the server sent the whole file, or the kept part was wrong). */
  async restart(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await this.fh.truncate(0);
    } catch (e) {
      throw writeError(this.path, e);
    }
    this.hash = createHash('sha256');
    this.size = 0;
    this.spliced = false;
  }

  /** Writes what is pending and closes; the sum covers every byte in the file. */
  async finish(): Promise<{ sha256: Sha256; size: number }> {
    await this.flush();
    try {
      await this.fh.sync();
    } catch {
      /* a device or pipe cannot sync; the rename that follows is what matters */
    }
    await this.fh.close();
    return { sha256: this.hash.digest('hex') as Sha256, size: this.size };
  }

  /** Writes what is pending and closes, keeping the file so a later run can resume it (an empty one is removed). */
  async keep(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.fh.close();
    }
    if (this.size === 0) await rm(this.path, { force: true });
  }

  /** Closes and deletes the file. */
  async discard(): Promise<void> {
    await this.fh.close().catch(() => {});
    await rm(this.path, { force: true });
  }
}

function writeError(path: string, e: unknown): DownloadError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DownloadError({ reason: 'disk-full', dir: dirname(path) });
  return new DownloadError({ reason: 'write', path, detail: (e as Error).message });
}
