import type { AnySource, BodySink, Fetcher, Place, TransferContext, TransferResult } from '../fetcher.js';
import { DEFAULT_HTTP, type HttpOptions } from './http-options.js';
import { DownloadError, describeFailure } from './download-error.js';
import { hostOf, openRequest } from './http-client.js';
import { withRetries } from './retry.js';

// One HTTP(S) GET into a partial file: redirects, a connect and an idle
// timeout, and continuing a partial file with a Range request (RFC 9110
// §14) when the server answers 206 for exactly the offset asked. A server
// that ignores Range (200) or cannot satisfy it (416) gets the whole file
// instead. Whether bytes are good is for the sha256 (orchestrator.ts).

export class HttpFetcher implements Fetcher {
  readonly schemes = ['http', 'https'];
  upstream(src: AnySource): Place[] {
    return [{ url: src.url }];
  }
  async transfer(place: Place, sink: BodySink, ctx: TransferContext): Promise<TransferResult> {
    await httpTransfer(place.url, sink, ctx);
    return undefined;
  }
}

/**
 * One place over HTTP(S) with the retry policy (retry.ts): each try
 * continues what the sink holds. Also the transfer of every plugin whose
 * places are http(s) URLs (debian.ts).
 */
export function httpTransfer(url: string, sink: BodySink, ctx: TransferContext): Promise<void> {
  const opts: HttpOptions = { ...ctx.http, allowHost: ctx.upstream ? ctx.allowHost : undefined };
  return withRetries(
    () => httpGet(url, sink, opts, ctx.onProgress),
    ctx.retry,
    (f, n, ms) => ctx.onRetry(`${describeFailure(f)}; try ${n + 1} in ${(ms / 1000).toFixed(1)} s`),
  );
}

/** Bytes in the sink so far, and the whole size when the server said it. */
export type OnProgress = (bytes: number, total: number | undefined) => void;

/** Fills `sink` from `url`, continuing from the bytes already in it when the server allows. */
export async function httpGet(url: string, sink: BodySink, opts: HttpOptions = DEFAULT_HTTP, onProgress: OnProgress = () => {}): Promise<void> {
  let current = url;
  for (let hops = 0; ; hops++) {
    if (opts.allowHost && !opts.allowHost(hostOf(current))) throw new DownloadError({ reason: 'host-not-allowed', url: current, host: hostOf(current) });
    const next = await getOnce(current, sink, opts, onProgress);
    if (next === undefined) return;
    if (next === AGAIN) continue; // the same URL without Range; not a hop
    if (hops >= opts.maxRedirects) throw new DownloadError({ reason: 'redirects', url });
    current = next;
  }
}

const AGAIN = Symbol('ask again without Range');

/** One request. Resolves to where a redirect points, to AGAIN, or to undefined when the body is in the sink. */
function getOnce(url: string, sink: BodySink, opts: HttpOptions, onProgress: OnProgress): Promise<string | typeof AGAIN | undefined> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (e: Error | undefined, next?: string | typeof AGAIN) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      if (e) {
        req.destroy();
        reject(e instanceof DownloadError ? e : networkFailure(url, e));
      } else resolve(next);
    };
    const offset = sink.resumeOffset();
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'strata' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    const req = openRequest(url, 'GET', headers);
    req.end();
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const done = (next?: string | typeof AGAIN) => {
        res.resume();
        settle(undefined, next);
      };
      if (status >= 300 && status < 400 && res.headers.location) return done(new URL(res.headers.location, url).toString());
      if (offset > 0 && (status === 200 || status === 416 || (status === 206 && rangeStart(res.headers['content-range']) !== offset))) {
        // Ignored (200), unsatisfiable (416: the kept part is as long as the
        // file or longer, so it is wrong) or another range than asked:
        // start over. A 200 already carries the whole body; use it.
        res.pause();
        sink.restart().then(
          () => (status === 200 ? body(0) : done(AGAIN)),
          (e) => settle(e),
        );
        return;
      }
      if (status === 200 || (status === 206 && offset > 0)) return body(offset);
      res.resume();
      settle(new DownloadError({ reason: 'status', url, status }));

      function body(start: number) {
        const length = Number(res.headers['content-length'] ?? NaN);
        const total = Number.isFinite(length) ? start + length : undefined;
        let got = 0;
        onProgress(sink.bytes, total);
        res.on('data', (chunk: Buffer) => {
          got += chunk.length;
          res.pause();
          sink.write(chunk).then(
            () => {
              onProgress(sink.bytes, total);
              res.resume();
            },
            (e) => settle(e),
          );
        });
        // The body is complete once every byte reached the sink; the caller's
        // finish() then waits for the sink's queued writes to land.
        res.on('end', () => {
          const cut = !res.complete || (Number.isFinite(length) && got !== length);
          settle(cut ? new DownloadError({ reason: 'cut-off', url, got: start + got, expected: total }) : undefined);
        });
        res.on('error', () => settle(new DownloadError({ reason: 'cut-off', url, got: start + got, expected: total })));
        res.on('close', () => {
          if (!res.complete) settle(new DownloadError({ reason: 'cut-off', url, got: start + got, expected: total }));
        });
        res.resume(); // also after the pause above, when a 200 answered a Range request
      }
    });
    const connectTimer = setTimeout(
      () => settle(new DownloadError({ reason: 'timeout', url, phase: 'connect', ms: opts.connectTimeoutMs })),
      opts.connectTimeoutMs,
    );
    req.on('socket', (socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        req.setTimeout(opts.idleTimeoutMs, () => settle(new DownloadError({ reason: 'timeout', url, phase: 'idle', ms: opts.idleTimeoutMs })));
      };
      if (socket.connecting) socket.once('connect', connected);
      else connected();
    });
    req.on('error', (e) => settle(e));
  });
}

function rangeStart(contentRange: string | undefined): number | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(contentRange?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

function networkFailure(url: string, e: Error): DownloadError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  return new DownloadError({ reason: 'network', url, code, detail: e.message });
}
