import { aptArchiveUris } from './apt-sources.js';
import type { Fetcher } from '../fetcher.js';

// `debian://pool/main/l/linux-signed-arm64/…deb` names a file by its path in
// the Debian archive. The archive's hosts come from this machine's apt
// configuration, so recipes and code never name a host.

export class DebianArchiveFetcher implements Fetcher {
  readonly schemes = ['debian'];
  constructor(private readonly archives: () => string[] = () => aptArchiveUris()) {}
  upstream(url: string): string[] {
    const path = url.slice('debian://'.length);
    return this.archives().map((base) => `${base}/${path}`);
  }
}
