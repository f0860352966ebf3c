import type { FetchEvent } from '../fetch/fetch-sources.js';

// One line per source that actually moves; sources already verified in the
// download folder stay quiet.
export function fetchReporter(out: NodeJS.WritableStream = process.stdout): (e: FetchEvent) => void {
  return (e) => {
    if (e.state === 'fetching') out.write(`fetch   ${e.source.name} from ${e.from}\n`);
    if (e.state === 'done') {
      const how = e.source.kind === 'git' ? `commit ${e.source.rev.slice(0, 12)}… verified` : `sha256 ${e.source.sha256.slice(0, 12)}… verified`;
      out.write(`fetched ${e.source.name} (${how})\n`);
    }
  };
}
