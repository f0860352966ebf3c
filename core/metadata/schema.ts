import { diag, UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import { closest } from '../diagnostics/spelling.js';
import type { LEntry, LMap, LSeq, LValue } from './tree.js';

// The schema of every file Strata reads (YAML metadata and qemuboot.json
// alike): a file kind is a Shape, and `validate` checks a located tree
// against it, collecting every problem with its file:line:col, so a user
// fixes a file in one pass (kas checks its project file the same way,
// against a schema with a version header). The small `as…` readers below
// use the same checks one value at a time; after `readChecked` they cannot
// fail, and loaders use them only to pick typed values out of the tree.

/** How messages name a value: the file kind, then the keys down to it ("machine qemu memory"). */
type Named = { readonly name?: string };

export type Shape = Named &
  (
    | { readonly kind: 'string'; readonly nullable?: boolean; readonly nonEmpty?: boolean; readonly oneOf?: readonly string[] }
    | { readonly kind: 'number'; readonly whole?: boolean; readonly min?: number }
    | { readonly kind: 'boolean' }
    | { readonly kind: 'list'; readonly of: Shape; readonly nullable?: boolean }
    | {
        readonly kind: 'map';
        readonly keys: Readonly<Record<string, Shape>>;
        readonly required?: readonly string[];
        readonly renamed?: Readonly<Record<string, string>>;
      }
    | { readonly kind: 'dict'; readonly of: Shape; readonly itemName?: (key: string) => string }
    | { readonly kind: 'either'; readonly of: readonly Shape[] }
    | { readonly kind: 'any' }
  );
export type MapShape = Extract<Shape, { kind: 'map' }>;

export const str = (o: { nonEmpty?: boolean; oneOf?: readonly string[]; name?: string } = {}): Shape => ({ kind: 'string', ...o });
/** A string that may be empty (`KEY:` with no value means ""). */
export const text: Shape = { kind: 'string', nullable: true };
export const num = (o: { whole?: boolean; min?: number } = {}): Shape => ({ kind: 'number', ...o });
export const bool: Shape = { kind: 'boolean' };
export const list = (of: Shape, o: { name?: string } = {}): Shape => ({ kind: 'list', of, ...o });
/** A list of strings; `KEY:` with no value is an empty list. */
export const strings: Shape = { kind: 'list', of: str(), nullable: true };
export const map = (keys: Record<string, Shape>, o: { required?: readonly string[]; renamed?: Record<string, string>; name?: string } = {}): MapShape => ({
  kind: 'map',
  keys,
  ...o,
});
/** A map with keys of the user's choosing (vars, providers, packages…). */
export const dict = (of: Shape, itemName?: (key: string) => string): Shape => ({ kind: 'dict', of, itemName });
/** One of several shapes, chosen by the kind of the value (a string or a map, say). */
export const either = (...of: Shape[]): Shape => ({ kind: 'either', of });
/** Checked by the code that reads it. */
export const anything: Shape = { kind: 'any' };

/** What a value is, for "found …" in messages: its kind, and a short scalar's value. */
export function describe(v: LValue): string {
  if (v.kind === 'seq') return 'a list';
  if (v.kind === 'map') return 'a map';
  if (v.value === null) return 'nothing';
  const shown = JSON.stringify(v.text ?? v.value);
  return shown.length <= 40 ? `${typeof v.value} ${shown}` : typeof v.value;
}

function expected(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      return shape.oneOf ? `one of ${shape.oneOf.join(', ')}` : 'a string';
    case 'number':
      return `a ${shape.whole ? 'whole ' : ''}number${shape.min !== undefined ? ` of at least ${shape.min}` : ''}`;
    case 'boolean':
      return 'true or false';
    case 'list':
      return shape.of.kind === 'string' ? 'a list of strings' : 'a list';
    case 'map':
    case 'dict':
      return 'a map';
    case 'either':
      return shape.of.map(expected).join(' or ');
    case 'any':
      return 'anything';
  }
}

/**
 * A YAML number is read as a string where a string is expected (`version:
 * 1.10` means "1.10"), since YAML types plain scalars by their look; the
 * tree keeps its spelling for that. JSON says what it means: its numbers have
 * no spelling kept, so a number in a string field is an error there.
 */
const stringLike = (v: LValue): boolean => v.kind === 'scalar' && (typeof v.value === 'string' || (typeof v.value === 'number' && v.text !== undefined));

function matchesKind(v: LValue, shape: Shape): boolean {
  switch (shape.kind) {
    case 'string':
      return stringLike(v) || (!!shape.nullable && v.kind === 'scalar' && v.value === null);
    case 'number':
      return v.kind === 'scalar' && typeof v.value === 'number';
    case 'boolean':
      return v.kind === 'scalar' && typeof v.value === 'boolean';
    case 'list':
      return v.kind === 'seq' || (!!shape.nullable && v.kind === 'scalar' && v.value === null);
    case 'map':
    case 'dict':
      return v.kind === 'map';
    case 'either':
      return shape.of.some((s) => matchesKind(v, s));
    case 'any':
      return true;
  }
}

const childName = (parent: string, key: string | number): string => (typeof key === 'number' ? `${parent}[${key}]` : `${parent} ${key}`);

/** Every problem of `v` against `shape`, in document order; `name` names the value in messages. */
export function validate(v: LValue, shape: Shape, name: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (node: LValue, s: Shape, at: string): void => {
    const named = s.name ?? at;
    if (!matchesKind(node, s)) {
      out.push(diag('schema-type', `${named}: expected ${expected(s)}, found ${describe(node)}`, node.loc));
      return;
    }
    switch (s.kind) {
      case 'string': {
        if (node.kind !== 'scalar' || node.value === null) return;
        const value = node.text ?? String(node.value);
        if (s.nonEmpty && value.trim() === '') out.push(diag('schema-value', `${named}: expected a non-empty string`, node.loc));
        if (s.oneOf && !s.oneOf.includes(value)) {
          const near = closest(value, s.oneOf);
          out.push(
            diag('schema-value', `${named}: expected one of ${s.oneOf.join(', ')}, found ${describe(node)}`, node.loc, {
              hint: near ? `did you mean '${near}'?` : undefined,
            }),
          );
        }
        return;
      }
      case 'number': {
        const n = (node as { value: number }).value;
        if ((s.whole && !Number.isInteger(n)) || (s.min !== undefined && n < s.min)) {
          out.push(diag('schema-range', `${named}: expected ${expected(s)}, found ${n}`, node.loc));
        }
        return;
      }
      case 'list':
        if (node.kind === 'seq') node.items.forEach((item, i) => visit(item, s.of, childName(named, i)));
        return;
      case 'map': {
        const m = node as LMap;
        const allowed = Object.keys(s.keys);
        for (const e of m.entries) {
          const keyShape = s.keys[e.key];
          if (keyShape) visit(e.value, keyShape, childName(named, e.key));
          else out.push(unknownKey(e, allowed, named, s.renamed?.[e.key]));
        }
        for (const r of s.required ?? []) if (!m.entries.some((e) => e.key === r)) out.push(missingKey(m, r, named));
        return;
      }
      case 'dict':
        for (const e of (node as LMap).entries) visit(e.value, s.of, s.itemName ? s.itemName(e.key) : childName(named, e.key));
        return;
      case 'either': {
        const chosen = s.of.find((option) => matchesKind(node, option))!;
        visit(node, chosen, at);
        return;
      }
    }
  };
  visit(v, shape, name);
  return out;
}

function unknownKey(e: LEntry, allowed: readonly string[], context: string, renamedTo?: string): Diagnostic {
  const near = renamedTo ?? closest(e.key, allowed);
  return diag('schema-unknown-key', `${context}: unknown key '${e.key}'`, e.keyLoc, {
    hint: renamedTo ? `'${e.key}' is now called '${renamedTo}'` : near ? `did you mean '${near}'?` : `allowed keys: ${allowed.join(', ')}`,
  });
}

const missingKey = (m: LMap, key: string, context: string): Diagnostic => diag('schema-missing-key', `${context}: missing required key '${key}'`, m.loc);

/**
 * Checks a whole file (or a map in it) against its shape and throws one
 * UserError holding every problem; returns the map's entries by key.
 */
export function readChecked(v: LValue, shape: MapShape, name: string): Map<string, LEntry> {
  const problems = validate(v, shape, name);
  if (problems.length) throw new UserError(problems);
  return new Map((v as LMap).entries.map((e) => [e.key, e]));
}

/**
 * The format of strata.yaml and layer.yaml (`format: 1`), and so of the
 * metadata files a layer holds: raised when a change to these files' rules
 * would make an older Strata misread them. A file without `format:` is 1.
 */
export const METADATA_FORMAT = 1;

/**
 * The format version a file declares under `key` (missing means 1). A
 * version this Strata does not know is the one problem reported: the rest
 * of such a file is written for rules this Strata does not have.
 */
export function formatVersion(v: LValue, o: { key: string; known: number; file: string; hint: string }): Diagnostic | undefined {
  const e = v.kind === 'map' ? v.entries.find((x) => x.key === o.key) : undefined;
  if (!e) return undefined;
  const n = e.value.kind === 'scalar' ? e.value.value : undefined;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= o.known) return undefined;
  const x = e.value;
  const shown = x.kind !== 'scalar' || x.value === null ? describe(x) : typeof x.value === 'string' ? JSON.stringify(x.value) : String(x.text ?? x.value);
  return diag(
    'format-version',
    `${o.file} is written in format ${shown}, but this Strata reads format ${o.known === 1 ? '1' : `1 to ${o.known}`}`,
    e.value.loc,
    {
      hint: o.hint,
    },
  );
}

// One value at a time, with the checks above.

function must(v: LValue, shape: Shape, context: string): void {
  const problems = validate(v, shape, context);
  if (problems.length) throw new UserError(problems);
}

/** Checks a map's keys against the allowed set and returns entries by key. */
export function readMap(v: LValue, allowed: readonly string[], context: string, required: readonly string[] = []): Map<string, LEntry> {
  return readChecked(v, map(Object.fromEntries(allowed.map((k) => [k, anything])), { required }), context);
}

export function asMapEntries(v: LValue, context: string): LEntry[] {
  must(v, dict(anything), context);
  return (v as LMap).entries;
}

export function asString(v: LValue, context: string): string {
  must(v, str(), context);
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
  must(v, num(), context);
  return (v as { value: number }).value;
}

export function asBoolean(v: LValue, context: string): boolean {
  must(v, bool, context);
  return (v as { value: boolean }).value;
}

export function asStringList(v: LValue, context: string): string[] {
  must(v, strings, context);
  return v.kind === 'seq' ? (v as LSeq).items.map((i) => asString(i, context)) : [];
}

export function asSeq(v: LValue, context: string): LValue[] {
  must(v, list(anything), context);
  return (v as LSeq).items;
}

export function get(m: Map<string, LEntry>, key: string): LValue | undefined {
  return m.get(key)?.value;
}

export function locOf(m: Map<string, LEntry>, key: string, fallback: SourceLocation): SourceLocation {
  return m.get(key)?.keyLoc ?? fallback;
}
