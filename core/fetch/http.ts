import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { redactUrl } from './redact.js';
import type { Fetcher } from './fetcher.js';

// Plain HTTP(S) download with redirects and an idle timeout. The caller
// hashes the file it lands in; nothing here decides whether bytes are good.

export class HttpFetcher implements Fetcher {
  readonly schemes = ['http', 'https'];
  upstream(url: string): string[] {
    return [url];
  }
}

export class DownloadError extends Error {}

export function httpDownload(url: string, dest: string, onBytes: (n: number) => void = () => {}, redirects = 5, idleMs = 30000): Promise<void> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects <= 0) return reject(new DownloadError(`${redactUrl(url)}: too many redirects`));
        return httpDownload(new URL(res.headers.location, url).toString(), dest, onBytes, redirects - 1, idleMs).then(resolve, reject);
      }
      if (status !== 200) {
        res.resume();
        return reject(new DownloadError(`${redactUrl(url)}: HTTP ${status}`));
      }
      const out = createWriteStream(dest);
      res.on('data', (chunk: Buffer) => onBytes(chunk.length));
      res.on('error', (e) => reject(new DownloadError(`${redactUrl(url)}: ${e.message}`)));
      res.on('aborted', () => reject(new DownloadError(`${redactUrl(url)}: connection cut off`)));
      out.on('error', (e) => reject(new DownloadError(`cannot write ${dest}: ${e.message}`)));
      out.on('finish', () => (res.complete ? resolve() : reject(new DownloadError(`${redactUrl(url)}: connection cut off`))));
      res.pipe(out);
    });
    req.setTimeout(idleMs, () => req.destroy(new Error(`no data for ${idleMs / 1000} s`)));
    req.on('error', (e) => reject(new DownloadError(`${redactUrl(url)}: ${e.message}`)));
  });
}
