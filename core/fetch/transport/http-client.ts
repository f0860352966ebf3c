import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import type https from 'node:https';
import { lazyRequire } from '../../fs/lazy-require.js';

// Strata's one HTTP(S) client. `openRequest` is where every request starts:
// the fetch phase's resumable GETs (http.ts) and the remote cache's GET and
// PUT below. Basic auth comes from credentials in the URL, which never
// reach a message (core/diagnostics/redact.ts). The cache's requests have a time
// limit each: a cache that hangs must not hang the build.

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 15000;

// node:http and node:https (with tls and a dozen modules of Node's own) are
// loaded on the first request, so a build with nothing to fetch does not
// pay for them at start (npm run bench:startup).
const httpModules = { 'node:http': lazyRequire<typeof http>('node:http'), 'node:https': lazyRequire<typeof https>('node:https') };
const httpModule = (secure: boolean): typeof http | typeof https => httpModules[secure ? 'node:https' : 'node:http']();

/**
 * Starts a request to `url`, credentials in it split out into Node's `auth`
 * option (RFC 7617 basic auth) so the URL sent has none. The caller ends it.
 */
export function openRequest(url: string, method: 'GET' | 'PUT', headers: http.OutgoingHttpHeaders = {}): http.ClientRequest {
  const u = new URL(url);
  const auth = u.username ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : undefined;
  u.username = '';
  u.password = '';
  return httpModule(u.protocol === 'https:').request(u, { method, auth, headers });
}

/** The host of an http(s) URL, lowercase, without IPv6 brackets. */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function get(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = openRequest(url, 'GET');
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer for ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => reject(new HttpError((e as NodeJS.ErrnoException).code ?? e.message)));
    req.on('response', resolve);
    req.end();
  });
}

/** A 200 response to read, undefined for 404 (not in the cache), an error for anything else. */
async function getFound(url: string): Promise<http.IncomingMessage | undefined> {
  const res = await get(url);
  if (res.statusCode === 200) return res;
  res.resume();
  if (res.statusCode === 404) return undefined;
  throw new HttpError(`HTTP ${res.statusCode}`, res.statusCode);
}

/** GET into memory; undefined on 404. */
export async function getText(url: string): Promise<string | undefined> {
  const res = await getFound(url);
  if (!res) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** GET into a file; false on 404. */
export async function getFile(url: string, dest: string): Promise<boolean> {
  const res = await getFound(url);
  if (!res) return false;
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(dest);
    res.on('error', reject);
    res.on('aborted', () => reject(new HttpError('connection cut off')));
    out.on('error', reject);
    out.on('finish', () => (res.complete ? resolve() : reject(new HttpError('connection cut off'))));
    res.pipe(out);
  });
  return true;
}

/** PUT a file (WebDAV-style servers create the folders). */
export function putFile(url: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stat(file).then((st) => {
      const req = openRequest(url, 'PUT', { 'content-length': st.size, 'content-type': 'application/octet-stream' });
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer for ${TIMEOUT_MS / 1000} s`)));
      req.on('error', (e) => reject(new HttpError((e as NodeJS.ErrnoException).code ?? e.message)));
      req.on('response', (res) => {
        res.resume();
        const s = res.statusCode ?? 0;
        if (s >= 200 && s < 300) resolve();
        else reject(new HttpError(`HTTP ${s}`, s));
      });
      createReadStream(file).on('error', reject).pipe(req);
    }, reject);
  });
}
