import type { SourceLocation } from '../diagnostics/diagnostic.js';

// The located tree every metadata reader produces (YAML in yaml.ts and
// fast-yaml.ts, JSON in json.ts) and the schema in schema.ts checks: plain
// values, each with the file:line:col where it was written.

/** `text` is the scalar as written, so `version: 1.10` stays "1.10" when read as a string. */
export type LScalar = { kind: 'scalar'; value: string | number | boolean | null; text?: string; loc: SourceLocation };
export type LSeq = { kind: 'seq'; items: LValue[]; loc: SourceLocation };
export type LEntry = { key: string; keyLoc: SourceLocation; value: LValue };
export type LMap = { kind: 'map'; entries: LEntry[]; loc: SourceLocation };
export type LValue = LScalar | LSeq | LMap;
