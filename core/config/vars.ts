import { assignment, type Assignment, type Level } from '../metadata/assignment.js';
import { asMapEntries, asString, asText, get } from '../metadata/schema.js';
import type { LEntry } from '../metadata/yaml.js';

// `vars:` and `providers:` sections read the same way in every config file.

export function readVars(m: Map<string, LEntry>, level: Level): Assignment[] {
  const v = get(m, 'vars');
  return v ? asMapEntries(v, 'vars').map((e) => assignment(e.key, asText(e.value, `variable ${e.key}`), level, e.keyLoc)) : [];
}

export interface ProviderChoice {
  readonly provider: string;
  readonly loc: LEntry['keyLoc'];
}

export function readProviders(m: Map<string, LEntry>): Map<string, ProviderChoice> {
  const out = new Map<string, ProviderChoice>();
  const v = get(m, 'providers');
  if (v) for (const e of asMapEntries(v, 'providers')) out.set(e.key, { provider: asString(e.value, `provider of ${e.key}`), loc: e.keyLoc });
  return out;
}

/** `preferred-versions: {busybox: 1.35.%}`: which version of a recipe to build; `%` and `*` match anything. */
export interface PreferredVersion {
  readonly pattern: string;
  readonly loc: LEntry['keyLoc'];
}

export function readPreferredVersions(m: Map<string, LEntry>): Map<string, PreferredVersion> {
  const out = new Map<string, PreferredVersion>();
  const v = get(m, 'preferred-versions');
  if (v)
    for (const e of asMapEntries(v, 'preferred-versions')) out.set(e.key, { pattern: asString(e.value, `preferred version of ${e.key}`), loc: e.value.loc });
  return out;
}
