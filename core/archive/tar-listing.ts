import { open, rm, type FileHandle } from 'node:fs/promises';
import { tarEntries, TarFormatError, type TarEntry } from './tar-reader.js';
import type { MemberProblem } from './unpack-safety.js';

// The member list of a tar stream (headers only), optionally with a copy of
// the stream's bytes written to a file as they go by. The unpack task uses
// the copy: it checks the members of a compressed archive and then extracts
// the copy, so the archive is decompressed once, not once to check and
// once more to extract (docs/security.md, docs/boards.md "Build times").

/** An archive's member list, or the problem that stopped reading it. */
export type Listing =
  | {
      readonly entries: TarEntry[];
      /** Set when reading stopped early because the members' sizes passed `maxBytes`; entries holds the members up to that one. */
      readonly overLimit?: boolean;
    }
  | { readonly unreadable: MemberProblem };

export interface ListOptions {
  /** Write every byte of the (decompressed) stream to this file too, including what follows the end-of-archive blocks: the bytes tar will read. */
  readonly copyTo?: string;
  /** Stop at the member whose size takes the total past this many bytes: an archive bomb is neither decompressed to its end nor copied onto the disk. */
  readonly maxBytes?: number;
}

/** Bytes a member writes: its size, or for a GNU sparse file the size it expands to. */
export function unpackedSize(e: TarEntry): number {
  const real = e.pax.get('GNU.sparse.realsize') ?? e.pax.get('GNU.sparse.size');
  return e.type === 'file' ? Math.max(e.size, real ? Number(real.toString()) || 0 : 0) : 0;
}

async function* copied(source: AsyncIterable<Buffer>, to: string): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  // Pulled before the file is opened: a child's stdout that no one reads
  // when the child exits is drained and lost (Node's child_process resumes
  // unread stdio on exit), and a small package's dpkg-deb exits that fast.
  const first = it.next();
  first.catch(() => {}); // its rejection is seen below, after the open
  let out: FileHandle | undefined;
  try {
    out = await open(to, 'w', 0o644);
    for (let r = await first; !r.done; r = await it.next()) {
      await out.write(r.value);
      yield r.value;
    }
  } finally {
    await out?.close();
    // Stopped early: end the source too (a decompressor is killed by its own cleanup).
    await it.return?.();
  }
}

/**
 * Lists a tar stream. With `copyTo`, the copy is complete when the listing
 * is (`entries` without `overLimit`), and removed otherwise; stopping early
 * ends the source (a decompressor it runs is killed by its own cleanup).
 */
export async function listTarStream(source: AsyncIterable<Buffer>, opts: ListOptions = {}): Promise<Listing> {
  const it = (opts.copyTo ? copied(source, opts.copyTo) : source)[Symbol.asyncIterator]();
  const entries: TarEntry[] = [];
  let bytes = 0;
  let complete = false;
  try {
    // Only what the checks read is kept: a kernel tarball has ~80,000 members.
    for await (const e of tarEntries({ [Symbol.asyncIterator]: () => it })) {
      const real = e.pax.get('GNU.sparse.realsize') ?? e.pax.get('GNU.sparse.size');
      entries.push({ ...e, pax: real ? new Map([['GNU.sparse.realsize', real]]) : new Map(), pathBytes: Buffer.alloc(0), linkBytes: Buffer.alloc(0) });
      bytes += unpackedSize(entries.at(-1)!);
      if (opts.maxBytes !== undefined && bytes > opts.maxBytes) return { entries, overLimit: true };
    }
    // The reader stops at the end-of-archive blocks; the copy gets the rest
    // too, and a tool writing the stream is not cut off (EPIPE) before its end.
    for (let r = await it.next(); !r.done; r = await it.next());
    complete = true;
    return { entries };
  } catch (e) {
    if (e instanceof TarFormatError) {
      const after = entries.at(-1);
      return { unreadable: { member: after ? `after '${after.path}'` : '(first header)', reason: `cannot be read: ${e.message}` } };
    }
    throw e;
  } finally {
    await it.return?.();
    if (opts.copyTo && !complete) await rm(opts.copyTo, { force: true });
  }
}
