import type { SourceLocation } from '../diagnostics/diagnostic.js';
import type { SignatureRecord } from './signature.js';

// Two signature records of one task, compared: one change record per thing
// that changed, as data. `strata why` (core/cli/why.ts) puts them in words;
// the scheduler-facing analysis (rebuild-reasons.ts) reads their kinds.

/** A value before and after; `old` undefined: new in this record; `new` undefined: no longer in it. */
interface Delta {
  readonly old?: string;
  readonly new?: string;
}

export type Change =
  /** The record was made by a Strata with another task format: its other fields cannot be compared. */
  | { readonly kind: 'format'; readonly old: number; readonly new: number }
  /** A variable the task uses; `location` is where its final value is set, when the caller knows. */
  | ({ readonly kind: 'variable'; readonly name: string; readonly location?: SourceLocation } & Delta)
  /** A file the task reads, by sha256. */
  | ({ readonly kind: 'file'; readonly name: string } & Delta)
  /** The settings of an in-process task (package patterns, the packages of a rootfs…). */
  | { readonly kind: 'settings'; readonly old: string; readonly new: string }
  /** What a task it waits for produced (output hash or signature), by key. */
  | ({ readonly kind: 'dependency'; readonly name: string } & Delta);

function diffMap<K extends 'variable' | 'file' | 'dependency'>(
  kind: K,
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): ({ kind: K; name: string } & Delta)[] {
  const out: ({ kind: K; name: string } & Delta)[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (before[name] === after[name]) continue;
    out.push({ kind, name, ...(name in before ? { old: before[name] } : {}), ...(name in after ? { new: after[name] } : {}) });
  }
  return out;
}

/**
 * What changed from `before` to `after`, in a fixed order: variables, files,
 * settings, dependencies, each sorted by name. `locate` says where a
 * variable's final value is set (the recipe's history), when known.
 */
export function explainChange(before: SignatureRecord, after: SignatureRecord, locate?: (variable: string) => SourceLocation | undefined): Change[] {
  // A record from another task format may have other fields: the format is the change.
  if (before.format !== after.format) return [{ kind: 'format', old: before.format, new: after.format }];
  const vars = diffMap('variable', before.vars, after.vars).map((c) => {
    const location = locate?.(c.name);
    return location ? { ...c, location } : c;
  });
  return [
    ...vars,
    ...diffMap('file', before.files, after.files),
    ...(before.settings !== after.settings ? [{ kind: 'settings' as const, old: before.settings, new: after.settings }] : []),
    ...diffMap('dependency', before.deps, after.deps),
  ];
}
