import type { SourceLocation } from '../../diagnostics/diagnostic.js';

// `allowed-hosts:` in strata.yaml, after BitBake's BB_ALLOWED_NETWORKS: the
// upstream hosts the fetch phase may contact. Not set: any host. A pattern
// is a host name (`git.example.org`) or `*.` and a domain (`*.example.org`),
// which matches the domain itself and every name under it, as in BitBake.
// Ports are not part of it: a host is allowed on every port or on none.
//
// Premirrors and mirrors are not checked against it. They are places the
// project itself names in the same file, on purpose, and usually inside its
// own network; the list exists to catch recipes reaching for hosts nobody
// approved. Whatever a mirror serves is still verified by sha256.

export interface AllowedHosts {
  readonly patterns: readonly string[];
  /** Where the list is written, for diagnostics. */
  readonly loc?: SourceLocation;
}

export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((raw) => {
    const p = raw.toLowerCase().replace(/\.$/, '');
    if (p.startsWith('*.')) return h === p.slice(2) || h.endsWith(p.slice(1));
    return h === p;
  });
}
