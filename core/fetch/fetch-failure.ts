import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { FetchSource } from './fetcher.js';
import type { FetchSettings } from './orchestrator.js';
import { redactUrl } from '../diagnostics/redact.js';

// The one diagnostic for a source no place could provide, by what went
// wrong: bytes with another sum somewhere (the recipe or a place is wrong),
// a host outside allowed-hosts (the project must decide), or nowhere had it.

export interface Attempts {
  /** Each place tried, with what it said (redacted). */
  readonly tried: readonly string[];
  /** Places whose bytes had another sum. */
  readonly mismatches: readonly string[];
  /** Upstream hosts not contacted because allowed-hosts does not list them. */
  readonly refused: readonly string[];
}

export function fetchFailure(src: FetchSource, a: Attempts, settings: Pick<FetchSettings, 'offline' | 'allowedHosts'>): Diagnostic {
  const what = src.kind === 'git' ? `git ${redactUrl(src.url)} at ${src.rev} (${src.ref.kind} ${src.ref.name})` : redactUrl(src.url);
  if (a.mismatches.length) {
    return diag('fetch-checksum', `${src.recipe}: checksum mismatch for ${what}: expected sha256 ${src.sha256}, but ${a.mismatches.join('; ')}`, src.loc, {
      hint:
        'nothing was stored under the final name. A mirror or download folder holding other bytes under this name was changed or damaged: ' +
        'replace the file (`strata mirror verify <mirror>` checks every file of a mirror). Only if the new file is the trusted one, fix the sha256 in the recipe',
    });
  }
  if (a.refused.length) {
    return diag('fetch-host-not-allowed', `${src.recipe}: ${what} needs host ${a.refused.join(', ')}, which is not in allowed-hosts`, src.loc, {
      related: settings.allowedHosts?.loc
        ? [{ message: `allowed-hosts: ${settings.allowedHosts.patterns.join(', ') || '(none)'}`, location: settings.allowedHosts.loc }]
        : undefined,
      hint: `add ${a.refused.map((h) => `'${h}'`).join(' or ')} to allowed-hosts in strata.yaml, or put the file in a mirror; tried: ${a.tried.join('; ')}`,
    });
  }
  return diag('fetch-missing', `${src.recipe}: cannot fetch ${what} (${src.name})`, src.loc, {
    hint:
      (settings.offline ? 'offline: only the download folder and mirrors are used. ' : '') +
      `put ${src.name}${src.sha256 ? ` (sha256 ${src.sha256})` : ''} into a mirror${src.sha256 ? ` as sha256/${src.sha256}` : ''}, or fetch it where there is network (\`strata fetch\`). ` +
      `tried: ${a.tried.join('; ') || 'nowhere (no mirrors configured)'}`,
  });
}
