import { closeSync, createReadStream, createWriteStream, openSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { launch } from '../exec/launch.js';
import { describeExit, succeeded } from '../exec/process-exit.js';
import { compressionTool } from './decompress.js';
import { listTarStream, type Listing } from './tar-listing.js';

// A decompressed copy of an archive, listed while it is written. The unpack
// task checks an archive's members and then extracts this copy, so the
// archive is decompressed once (docs/security.md). The decompressor writes
// straight to the file, as `xz -dc > copy` would, and our reader follows
// the file as it grows: passing 200 MB through a pipe into Node costs more
// than decompressing it (qemu's 23 MB .tar.xz: 2.2 s to a file, 3.1 s read
// through a pipe), and the listing, reading behind the tool, adds little.

/** A tool (or gunzip) writing a copy: `done` settles when it has written all, or failed. */
export interface CopyWriter {
  readonly done: Promise<void>;
  stop(): void;
}

/** Runs `file args` with its standard output going to the file `to` (created or emptied now). */
export function toolInto(file: string, args: string[], to: string, stdinFrom?: string): CopyWriter {
  const out = openSync(to, 'w', 0o644);
  const input = stdinFrom === undefined ? undefined : openSync(stdinFrom, 'r');
  const child = launch({ file, args, stdin: input ?? 'ignore', stdout: out });
  // The child holds its own copies.
  closeSync(out);
  if (input !== undefined) closeSync(input);
  const done = child.finished.then(({ exit, stderr }) => {
    const what = [file, ...args].join(' ');
    if (exit.kind === 'not-found' || exit.kind === 'cannot-start') throw new Error(`cannot run ${file}: ${describeExit(exit)}`);
    if (!succeeded(exit)) throw new Error(`${what} failed: ${stderr.trim() || describeExit(exit)}`);
  });
  done.catch(() => {}); // seen by whoever awaits it
  return { done, stop: () => child.kill('SIGKILL') };
}

/** Decompresses the archive `path` into `to`, choosing the format by `name` as `tar -xf` does (see decompress.ts). */
export function decompressInto(path: string, to: string, name = path): CopyWriter {
  const tool = compressionTool(name);
  if (!tool) return toolInto('cat', [], to, path);
  if (tool !== 'gzip') return toolInto(tool, ['-dc'], to, path);
  const stop = new AbortController();
  const fd = openSync(to, 'w', 0o644);
  const done = pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 1 << 20 }), createWriteStream('', { fd }), {
    signal: stop.signal,
  });
  done.catch(() => {});
  return { done, stop: () => stop.abort() };
}

const CHUNK = 1 << 20;

/** The bytes of `file` as a writer adds them, to the end of what it wrote. */
async function* following(file: string, writing: Promise<void>): AsyncGenerator<Buffer> {
  let ended = false;
  const settled = writing.then(
    () => (ended = true),
    () => (ended = true),
  );
  const fh = await open(file, 'r');
  try {
    for (let at = 0; ;) {
      const wasEnded = ended; // read after the writer ended: nothing more can come
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, at);
      if (bytesRead > 0) {
        at += bytesRead;
        yield buf.subarray(0, bytesRead);
      } else if (wasEnded) return;
      else await Promise.race([settled, new Promise((r) => setTimeout(r, 5))]);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Lists the copy `writer` is writing to `copy` while it writes. The copy is
 * left only when the listing is whole and the writer succeeded; otherwise
 * the writer is stopped (a bomb is not written to its end) and the copy removed.
 */
export async function listWhileWritten(copy: string, writer: CopyWriter, opts: { maxBytes?: number } = {}): Promise<Listing> {
  let kept = false;
  try {
    const listing = await listTarStream(following(copy, writer.done), opts);
    if ('unreadable' in listing || listing.overLimit) return listing;
    await writer.done;
    kept = true;
    return listing;
  } finally {
    if (!kept) {
      writer.stop();
      await writer.done.catch(() => {});
      await rm(copy, { force: true });
    }
  }
}
