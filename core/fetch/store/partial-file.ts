import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open as openFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sha256 } from '../../model/ids.js';
import { DownloadError } from '../transport/download-error.js';

// A download in progress: a file under a temporary name that is hashed as
// bytes are written, so verifying a 1 GiB download costs no second read of
// it. Bytes already in the file when it is opened (a download an earlier
// run left behind) are hashed once, first; a restart truncates the file and
// the hash together, so the sum always covers exactly the bytes on disk.

/** How a partial file is opened; tests replace it to make writes fail (e.g. with /dev/full). */
export type OpenPartial = (path: string) => Promise<FileHandle>;

const openForAppend: OpenPartial = (path) => openFile(path, 'a');

// Chunks from a socket are ~64 KiB; writing them one by one costs a thread
// pool round trip each, so they are gathered into 1 MiB writes. Those run
// behind the network rather than in step with it (waiting for each write
// halved the loopback throughput in bench/fetch.ts); the writer waits only
// when more than MAX_IN_FLIGHT bytes are queued, which bounds memory.
const FLUSH_BYTES = 1 << 20;
const MAX_IN_FLIGHT = 16 << 20;

export class PartialFile {
  private hash: Hash = createHash('sha256');
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private spliced = false;
  /** The queue of writes, in order; it never rejects: a failure is kept in `failure`. */
  private writing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private failure?: DownloadError;

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

  /** Hashes and queues `chunk`; the promise settles at once unless too much is queued. */
  write(chunk: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.hash.update(chunk);
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.queueWrite();
    return this.inFlight > MAX_IN_FLIGHT ? this.drain() : Promise.resolve();
  }

  private queueWrite(): void {
    if (!this.pendingBytes) return;
    const chunks = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlight += bytes;
    this.writing = this.writing.then(async () => {
      if (this.failure) return;
      try {
        await this.fh.writev(chunks);
      } catch (e) {
        this.failure = writeError(this.path, e);
      } finally {
        this.inFlight -= bytes;
      }
    });
  }

  /** Waits for every queued write; throws the first write failure. */
  private async drain(): Promise<void> {
    this.queueWrite();
    await this.writing;
    if (this.failure) throw this.failure;
  }

  /** Starts over from byte 0 (the server sent the whole file, or the kept part was wrong). */
  async restart(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    await this.drain();
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
    await this.drain();
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
      await this.drain();
    } finally {
      await this.fh.close();
    }
    if (this.size === 0) await rm(this.path, { force: true });
  }

  /** Closes and deletes the file. */
  async discard(): Promise<void> {
    await this.writing;
    await this.fh.close().catch(() => {});
    await rm(this.path, { force: true });
  }
}

function writeError(path: string, e: unknown): DownloadError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DownloadError({ reason: 'disk-full', dir: dirname(path) });
  return new DownloadError({ reason: 'write', path, detail: (e as Error).message });
}
