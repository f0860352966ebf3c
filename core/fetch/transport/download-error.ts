import { redactText, redactUrl } from '../../diagnostics/redact.js';

// Why one download attempt failed, as a tagged union, so the retry loop and
// the fetch phase decide by `reason` instead of by matching message text.
// URLs in here are redacted when the failure becomes text, never before, so
// code can still compare them.

export type DownloadFailure =
  | { readonly reason: 'status'; readonly url: string; readonly status: number }
  | { readonly reason: 'timeout'; readonly url: string; readonly phase: 'connect' | 'idle'; readonly ms: number }
  | { readonly reason: 'cut-off'; readonly url: string; readonly got: number; readonly expected?: number }
  | { readonly reason: 'network'; readonly url: string; readonly code: string; readonly detail: string }
  | { readonly reason: 'redirects'; readonly url: string }
  | { readonly reason: 'host-not-allowed'; readonly url: string; readonly host: string }
  | { readonly reason: 'disk-full'; readonly dir: string }
  | { readonly reason: 'write'; readonly path: string; readonly detail: string }
  /** A place that does not hold the source (a missing mirror file, a clone without the commit); `detail` names the place. */
  | { readonly reason: 'unavailable'; readonly url: string; readonly detail: string };

export class DownloadError extends Error {
  constructor(readonly failure: DownloadFailure) {
    super(describeFailure(failure));
  }
}

// Network codes worth another try: the peer or a middlebox dropped us, or a
// name lookup failed for now. A refused connection is not among them (curl
// does not retry it by default either): nobody listens there, and waiting
// seconds to learn it again helps no one.
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']);

/**
 * Whether trying the same URL again may help: cut-off connections, timeouts,
 * resets, 5xx, 408 and 429 (the statuses curl's --retry treats as
 * transient). A 404 or 403 will say the same thing next time.
 */
export function isTransient(f: DownloadFailure): boolean {
  switch (f.reason) {
    case 'cut-off':
    case 'timeout':
      return true;
    case 'network':
      return TRANSIENT_CODES.has(f.code);
    case 'status':
      return f.status >= 500 || f.status === 408 || f.status === 429;
    default:
      return false;
  }
}

export function describeFailure(f: DownloadFailure): string {
  switch (f.reason) {
    case 'status':
      return `${redactUrl(f.url)}: HTTP ${f.status}`;
    case 'timeout':
      return f.phase === 'connect' ? `${redactUrl(f.url)}: no connection within ${f.ms / 1000} s` : `${redactUrl(f.url)}: no data for ${f.ms / 1000} s`;
    case 'cut-off':
      return `${redactUrl(f.url)}: connection cut off after ${f.got} bytes${f.expected !== undefined ? ` of ${f.expected}` : ''}`;
    case 'network':
      return `${redactUrl(f.url)}: ${f.detail}`;
    case 'redirects':
      return `${redactUrl(f.url)}: too many redirects`;
    case 'host-not-allowed':
      return `${redactUrl(f.url)}: host ${f.host} is not in allowed-hosts`;
    case 'disk-full':
      return `no space left on device in the download folder ${f.dir}`;
    case 'write':
      return `cannot write ${f.path}: ${f.detail}`;
    case 'unavailable':
      return redactText(f.detail);
  }
}
