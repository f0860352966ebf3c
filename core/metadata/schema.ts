import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import type { LEntry, LMap, LSeq, LValue } from './yaml.js';
import { closest } from '../diagnostics/spelling.js';

// Small typed readers over the located YAML tree. Each one either returns a
// plain value or throws a UserError pointing at the offending node; together
// they are the schema of our files, one readable function per file kind.

export function describe(v: LValue): string {
  return v.kind === 'scalar' ? (v.value === null ? 'nothing' : typeof v.value) : v.kind === 'seq' ? 'a list' : 'a map';
}

function wrong(v: LValue, what: string, context: string): never {
  throw new UserError(diag('schema-type', `${context}: expected ${what}, found ${describe(v)}`, v.loc));
}

/** Checks a map's keys against the allowed set and returns entries by key. */
export function readMap(v: LValue, allowed: readonly string[], context: string, required: readonly string[] = []): Map<string, LEntry> {
  if (v.kind !== 'map') wrong(v, 'a map', context);
  const m = v as LMap;
  const out = new Map<string, LEntry>();
  for (const e of m.entries) {
    if (!allowed.includes(e.key)) {
      const near = closest(e.key, allowed);
      throw new UserError(
        diag('schema-unknown-key', `${context}: unknown key '${e.key}'`, e.keyLoc, {
          hint: near ? `did you mean '${near}'?` : `allowed keys: ${allowed.join(', ')}`,
        }),
      );
    }
    out.set(e.key, e);
  }
  for (const r of required) {
    if (!out.has(r)) throw new UserError(diag('schema-missing-key', `${context}: missing required key '${r}'`, m.loc));
  }
  return out;
}

export function asMapEntries(v: LValue, context: string): LEntry[] {
  if (v.kind !== 'map') wrong(v, 'a map', context);
  return (v as LMap).entries;
}

export function asString(v: LValue, context: string): string {
  if (v.kind !== 'scalar' || v.value === null || typeof v.value === 'boolean') wrong(v, 'a string', context);
  const s = v as { value: string | number; text?: string };
  // A number written in a string field keeps its spelling (1.10, 007, 0e5…).
  return typeof s.value === 'number' && s.text !== undefined ? s.text : String(s.value);
}

/** A string that may be empty (`KEY:` with no value means ""). */
export function asText(v: LValue, context: string): string {
  if (v.kind === 'scalar' && v.value === null) return '';
  return asString(v, context);
}

export function asNumber(v: LValue, context: string): number {
  if (v.kind !== 'scalar' || typeof v.value !== 'number') wrong(v, 'a number', context);
  return (v as { value: number }).value;
}

export function asBoolean(v: LValue, context: string): boolean {
  if (v.kind !== 'scalar' || typeof v.value !== 'boolean') wrong(v, 'true or false', context);
  return (v as { value: boolean }).value;
}

export function asStringList(v: LValue, context: string): string[] {
  if (v.kind === 'scalar' && v.value === null) return [];
  if (v.kind !== 'seq') wrong(v, 'a list of strings', context);
  return (v as LSeq).items.map((i) => asString(i, context));
}

export function asSeq(v: LValue, context: string): LValue[] {
  if (v.kind !== 'seq') wrong(v, 'a list', context);
  return (v as LSeq).items;
}

export function get(m: Map<string, LEntry>, key: string): LValue | undefined {
  return m.get(key)?.value;
}

export function locOf(m: Map<string, LEntry>, key: string, fallback: SourceLocation): SourceLocation {
  return m.get(key)?.keyLoc ?? fallback;
}
