import type { AnySource, BodySink, Fetcher, Place, TransferContext, TransferResult } from '../fetcher.js';
import { aptArchiveUris } from './apt-sources.js';
import { httpTransfer } from './http.js';

// `debian://pool/main/l/linux-signed-arm64/…deb` names a file by its path in
// the Debian archive. The archive's hosts come from this machine's apt
// configuration, so recipes and code never name a host; the file comes
// over HTTP like any other.

export class DebianArchiveFetcher implements Fetcher {
  readonly schemes = ['debian'];
  constructor(private readonly archives: () => string[] = () => aptArchiveUris()) {}
  upstream(src: AnySource): Place[] {
    const path = src.url.slice('debian://'.length);
    return this.archives().map((base) => ({ url: `${base}/${path}` }));
  }
  async transfer(place: Place, sink: BodySink, ctx: TransferContext): Promise<TransferResult> {
    await httpTransfer(place.url, sink, ctx);
    return undefined;
  }
}
