import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { DownloadDir } from '../../core/fetch/store/download-dir.js';
import type { FetchSettings } from '../../core/fetch/fetch-settings.js';
import { SourceFetcher, type FetchEvent } from '../../core/fetch/orchestrator.js';
import { FileFetcher } from '../../core/fetch/transport/file.js';
import { HttpFetcher } from '../../core/fetch/transport/http.js';
import type { Sha256 } from '../../core/model/ids.js';
import type { RemoteSource } from '../../core/fetch/source.js';

// A SourceFetcher in the test's own process, for what is easier to see
// from inside than through the command line: events, partial files, locks.

export const sha256 = (b: Buffer | string): Sha256 => createHash('sha256').update(b).digest('hex') as Sha256;

/** A remote source whose sum is that of `body`. */
export function remoteSource(url: string, body: Buffer | string, name = basename(new URL(url).pathname)): RemoteSource {
  return { kind: 'remote', recipe: 'test-recipe', url, sha256: sha256(body), name, unpack: false };
}

/** A fetcher into `downloads` with short pauses between retries, so tests do not wait seconds. */
export function testFetcher(downloads: string, settings: Partial<FetchSettings> = {}, dir?: DownloadDir): SourceFetcher {
  return new SourceFetcher(
    [new HttpFetcher(), new FileFetcher()],
    { downloads, premirrors: [], mirrors: [], offline: false, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...settings },
    dir,
  );
}

/** Runs fetchOne and keeps its events. */
export async function fetchWithEvents(
  f: SourceFetcher,
  src: RemoteSource,
): Promise<{ diag: Awaited<ReturnType<SourceFetcher['fetchOne']>>; events: FetchEvent[] }> {
  const events: FetchEvent[] = [];
  const diag = await f.fetchOne(src, (e) => events.push(e));
  return { diag, events };
}
