import { launch } from '../exec/launch.js';
import { succeeded } from '../exec/process-exit.js';
import { feedWhileRead } from '../exec/stdin-feed.js';
import { listTarStream, type Listing } from './tar-listing.js';

// An archive's tar stream listed and extracted at once (issue 11): one
// decompression feeds both our lister and the extracting `tar -x`
// (feedWhileRead), so decompression, listing and extraction overlap on the
// machine's cores as `tar -xJf` overlaps xz and tar, and what tar extracts
// is byte for byte what was listed. Since tar writes members before the
// listing has judged them, the command must confine itself: the unpack task
// runs tar in the task sandbox with only a staging folder writable, and
// moves what it wrote into place only after every archive passed
// (core/build/unpack-staging.ts).

export interface ListedAndExtracted {
  readonly listing: Listing;
  /** tar extracted the whole stream and succeeded; false when the listing stopped early (tar is then killed) or tar failed. */
  readonly extracted: boolean;
}

/** Lists `stream` while `tar` (a command reading the tar stream on its standard input) extracts it; `abort` stops both. */
export async function listWhileExtracting(
  stream: AsyncIterable<Buffer>,
  tar: readonly string[],
  opts: { maxBytes?: number; abort?: AbortSignal } = {},
): Promise<ListedAndExtracted> {
  const child = launch({ file: tar[0], args: tar.slice(1), stdin: 'pipe', stdout: 'ignore', abort: opts.abort, killSignal: 'SIGKILL' });
  let whole = false;
  try {
    // A tar that could not start has no stdin: the stream is still listed, and nothing is extracted.
    const listing = await listTarStream(until(opts.abort, child.stdin ? feedWhileRead(child.stdin, stream) : stream), opts);
    whole = !('unreadable' in listing) && !listing.overLimit;
    if (!whole) return { listing, extracted: false };
    return { listing, extracted: succeeded((await child.finished).exit) };
  } finally {
    // A bomb, an unreadable stream or a stopped build: tar has not seen the
    // stream's end and must not go on writing what it has.
    if (!whole) {
      child.kill('SIGKILL');
      await child.finished;
    }
  }
}

/** The chunks of `source` until `signal` aborts: then an error, which ends the listing (and the decompressor with it). */
async function* until(signal: AbortSignal | undefined, source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    if (signal?.aborted) throw new Error('stopped');
    yield chunk;
  }
}
