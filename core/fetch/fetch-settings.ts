import type { AllowedHosts } from './transport/allowed-hosts.js';
import type { HttpOptions } from './transport/http-options.js';
import type { RetryPolicy } from './transport/retry.js';

// What a project says about fetching (strata.yaml: downloads, mirrors,
// offline, allowed-hosts, patience). Its own file, below the orchestrator,
// so the failure wording (fetch-failure.ts) reads it without importing the
// orchestrator that imports the wording.

export interface FetchSettings {
  readonly downloads: string;
  readonly premirrors: readonly string[];
  readonly mirrors: readonly string[];
  readonly offline: boolean;
  readonly parallel?: number;
  /** Upstream hosts that may be contacted; undefined: any. Mirrors are never restricted. */
  readonly allowedHosts?: AllowedHosts;
  readonly http?: Partial<HttpOptions>;
  readonly retry?: Partial<RetryPolicy>;
}
