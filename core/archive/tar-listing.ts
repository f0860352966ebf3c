import { tarEntries, TarFormatError, type TarEntry } from './tar-reader.js';

// The member list of a tar stream (headers only), what the unpack safety
// check reads (unpack-safety.ts, deb-safety.ts).

/** Why a member may not be extracted (unpack-safety.ts decides; the listing reports an unreadable archive the same way). */
export interface MemberProblem {
  readonly member: string;
  readonly reason: string;
  /** The member's position in the list checked. */
  readonly index?: number;
}

/** An archive's member list, or the problem that stopped reading it. */
export type Listing =
  | {
      readonly entries: TarEntry[];
      /** Set when reading stopped early because the members' sizes passed `maxBytes`; entries holds the members up to that one. */
      readonly overLimit?: boolean;
    }
  | { readonly unreadable: MemberProblem };

export interface ListOptions {
  /**
   * Stop at the member whose size takes the total past this many bytes: an
   * archive bomb is not decompressed to its end, nor extracted beyond about
   * the limit (extract-while-listing.ts).
   */
  readonly maxBytes?: number;
}

/** Bytes a member writes: its size, or for a GNU sparse file the size it expands to. */
export function unpackedSize(e: TarEntry): number {
  const real = e.pax.get('GNU.sparse.realsize') ?? e.pax.get('GNU.sparse.size');
  return e.type === 'file' ? Math.max(e.size, real ? Number(real.toString()) || 0 : 0) : 0;
}

/** Lists a tar stream; stopping early (`maxBytes`, a bad header) ends the source, and a decompressor it runs with it. */
export async function listTarStream(source: AsyncIterable<Buffer>, opts: { maxBytes?: number } = {}): Promise<Listing> {
  const it = source[Symbol.asyncIterator]();
  const entries: TarEntry[] = [];
  let bytes = 0;
  try {
    // Only what the checks read is kept: a kernel tarball has ~80,000 members.
    for await (const e of tarEntries({ [Symbol.asyncIterator]: () => it })) {
      const real = e.pax.get('GNU.sparse.realsize') ?? e.pax.get('GNU.sparse.size');
      entries.push({ ...e, pax: real ? new Map([['GNU.sparse.realsize', real]]) : new Map(), pathBytes: Buffer.alloc(0), linkBytes: Buffer.alloc(0) });
      bytes += unpackedSize(entries.at(-1)!);
      if (opts.maxBytes !== undefined && bytes > opts.maxBytes) return { entries, overLimit: true };
    }
    // The reader stops at the end-of-archive blocks; the rest is read too, so
    // a tool writing the stream is not cut off (EPIPE) before its end.
    for (let r = await it.next(); !r.done; r = await it.next());
    return { entries };
  } catch (e) {
    if (e instanceof TarFormatError) {
      const after = entries.at(-1);
      return { unreadable: { member: after ? `after '${after.path}'` : '(first header)', reason: `cannot be read: ${e.message}` } };
    }
    throw e;
  } finally {
    await it.return?.();
  }
}
