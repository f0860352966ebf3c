// How patient an HTTP(S) transfer is (http.ts). A file of its own because
// the fetcher interface (../fetcher.ts) hands these to every plugin and the
// orchestrator fills in the defaults: neither should import the HTTP
// transfer itself, which imports the fetcher interface.

export interface HttpOptions {
  readonly connectTimeoutMs: number;
  /** Longest silence on the connection once connected, headers and body alike. */
  readonly idleTimeoutMs: number;
  readonly maxRedirects: number;
  /** Checked for the host of the URL and of every redirect; undefined allows all. */
  readonly allowHost?: (host: string) => boolean;
}

export const DEFAULT_HTTP: HttpOptions = { connectTimeoutMs: 15_000, idleTimeoutMs: 30_000, maxRedirects: 5 };
