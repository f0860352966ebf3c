import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { err, ok, type Result } from '../model/result.js';
import { offsetLocator } from './offsets.js';
import type { LEntry, LValue } from './tree.js';

// JSON read into the same located tree as YAML (tree.ts), so one schema
// (schema.ts) checks both. JSON.parse throws away positions, and its syntax
// errors only sometimes say where they are; this small reader follows the
// JSON grammar (RFC 8259), notes where every member starts, and says where
// the first syntax error is and what was expected there.

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LITERAL = /true|false|null/y;

/** Reads JSON text into the located tree; a syntax error or a key written twice is a `json-*` diagnostic. */
export function parseJsonText(file: string, text: string): Result<LValue, Diagnostic[]> {
  const at = offsetLocator(file, text);
  let i = 0;

  const found = (): string => (i >= text.length ? 'end of file' : JSON.stringify(text[i]));
  const fail = (expected: string): never => {
    throw new JsonSyntax(i, `expected ${expected}, found ${found()}`);
  };
  const skipSpace = (): void => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  const sticky = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) i = re.lastIndex;
    return m?.[0];
  };
  const duplicates: Diagnostic[] = [];

  const value = (): LValue => {
    skipSpace();
    const start = i;
    const c = text[i];
    if (c === '{' || c === '[') {
      const isObject = c === '{';
      const close = isObject ? '}' : ']';
      const entries: LEntry[] = [];
      const items: LValue[] = [];
      i++;
      skipSpace();
      if (text[i] !== close) {
        for (;;) {
          skipSpace();
          if (isObject) {
            const keyAt = i;
            const key = JSON.parse(sticky(STRING) ?? fail('a "quoted" field name')) as string;
            skipSpace();
            if (text[i] !== ':') fail('":" after the field name');
            i++;
            const first = entries.find((e) => e.key === key);
            const entry = { key, keyLoc: at(keyAt), value: value() };
            if (first) {
              duplicates.push(
                diag('json-duplicate-key', `the field "${key}" is written twice in one object`, entry.keyLoc, {
                  related: [{ message: `"${key}" is first written here`, location: first.keyLoc }],
                  hint: 'keep one of them',
                }),
              );
            }
            entries.push(entry);
          } else {
            items.push(value());
          }
          skipSpace();
          if (text[i] === ',') {
            i++;
            skipSpace();
            if (text[i] === close) fail('another value after "," (JSON allows no trailing comma)');
            continue;
          }
          if (text[i] === close) break;
          fail(`"," or "${close}"`);
        }
      }
      i++;
      return isObject ? { kind: 'map', entries, loc: at(start) } : { kind: 'seq', items, loc: at(start) };
    }
    const token = sticky(STRING) ?? sticky(NUMBER) ?? sticky(LITERAL);
    if (token === undefined) {
      fail(
        text[i] === '"'
          ? 'a string without raw control characters or bad escapes, closed by "'
          : 'a value (object, array, "string", number, true, false or null)',
      );
    }
    // The token matched the grammar, so JSON.parse reads it as JSON would.
    return { kind: 'scalar', value: JSON.parse(token!) as string | number | boolean | null, loc: at(start) };
  };

  try {
    const tree = value();
    skipSpace();
    if (i < text.length) fail('end of file after the value');
    return duplicates.length ? err(duplicates) : ok(tree);
  } catch (e) {
    if (!(e instanceof JsonSyntax)) throw e;
    return err([
      diag('json-syntax', `not valid JSON: ${e.message}`, at(e.offset), { hint: 'JSON wants "double quotes", commas between members and none after the last' }),
    ]);
  }
}

/** RFC 6901 escaping of one reference token. */
export const escapePointer = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The node a JSON Pointer (RFC 6901: "/qemu/memory", "/disks/0/file") names,
 * with where to point at it: a member's key, an item's value. A member that
 * is missing is pointed at in the nearest object that exists.
 */
export function locatePointer(tree: LValue, pointer: string): { node?: LValue; loc: LValue['loc'] } {
  let node: LValue | undefined = tree;
  let loc = tree.loc;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node?.kind === 'map') {
      const e: LEntry | undefined = node.entries.find((x) => x.key === token);
      node = e?.value;
      if (e) loc = e.keyLoc;
    } else if (node?.kind === 'seq' && /^\d+$/.test(token)) {
      node = node.items[Number(token)];
      if (node) loc = node.loc;
    } else node = undefined;
    if (!node) break;
  }
  return { node, loc };
}

/** The plain value of a tree (what JSON.parse gives; for a repeated key, the last one). */
export function plainValue(v: LValue): unknown {
  if (v.kind === 'scalar') return v.value;
  if (v.kind === 'seq') return v.items.map(plainValue);
  return Object.fromEntries(v.entries.map((e) => [e.key, plainValue(e.value)]));
}
