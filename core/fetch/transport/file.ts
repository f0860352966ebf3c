import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BodySink, Fetcher, Place, TransferContext, TransferResult } from '../fetcher.js';
import { DownloadError } from './download-error.js';

// Files on this machine: the places of mirror folders (an absolute path or
// a file:// URL). `file://` sources of a recipe are not downloads: they are
// files of its layer, found and confined by local-source.ts and hashed by
// content, so this fetcher has no upstream of its own.
//
// A copy is streamed through the same sink as an HTTP body, so it is hashed
// as it is copied and verified without a second read. It always starts at
// byte 0; resuming a local copy would save little and prove nothing.

export class FileFetcher implements Fetcher {
  readonly schemes = ['file'];
  upstream(): Place[] {
    return [];
  }
  async transfer(place: Place, sink: BodySink, ctx: TransferContext): Promise<TransferResult> {
    const path = place.url.startsWith('file:') ? fileURLToPath(place.url) : place.url;
    let total: number;
    try {
      total = (await stat(path)).size;
    } catch {
      throw new DownloadError({ reason: 'unavailable', url: path, detail: `${path}: not there` });
    }
    if (sink.bytes > 0) await sink.restart();
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      await sink.write(chunk as Buffer);
      ctx.onProgress(sink.bytes, total);
    }
    return undefined;
  }
}
