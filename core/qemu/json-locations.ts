import type { SourceLocation } from '../diagnostics/diagnostic.js';

// JSON.parse throws away positions, and its syntax errors only sometimes say
// where they are. A diagnostic about a qemuboot.json file should point at a
// line and column, so this small scanner follows the JSON grammar (RFC 8259)
// and records where each member starts, keyed by JSON Pointer (RFC 6901:
// "/qemu/memory", "/qemu/extraArgs/0"), or where the first syntax error is.

export type JsonScan =
  { readonly ok: true; readonly offsets: ReadonlyMap<string, number> } | { readonly ok: false; readonly offset: number; readonly message: string };

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

export function scanJson(text: string): JsonScan {
  const offsets = new Map<string, number>();
  let i = 0;

  const describe = (): string => (i >= text.length ? 'end of file' : JSON.stringify(text[i]));
  const fail = (expected: string): never => {
    throw new JsonSyntax(i, `expected ${expected}, found ${describe()}`);
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
  const value = (pointer: string): void => {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const isObject = c === '{';
      const close = isObject ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        skipSpace();
        let member = `${pointer}/${index}`;
        if (isObject) {
          const at = i;
          const key = sticky(STRING) ?? fail('a "quoted" field name');
          member = `${pointer}/${escapePointer(JSON.parse(key) as string)}`;
          offsets.set(member, at);
          skipSpace();
          if (text[i] !== ':') fail('":" after the field name');
          i++;
          skipSpace();
        } else {
          offsets.set(member, i);
        }
        value(member);
        skipSpace();
        if (text[i] === ',') {
          i++;
          skipSpace();
          if (text[i] === close) fail('another value after "," (JSON allows no trailing comma)');
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail(`"," or "${close}"`);
      }
    }
    if (sticky(STRING) === undefined && sticky(NUMBER) === undefined && sticky(LITERAL) === undefined) {
      fail(
        text[i] === '"'
          ? 'a string without raw control characters or bad escapes, closed by "'
          : 'a value (object, array, "string", number, true, false or null)',
      );
    }
  };

  try {
    value('');
    skipSpace();
    if (i < text.length) fail('end of file after the value');
    return { ok: true, offsets };
  } catch (e) {
    if (e instanceof JsonSyntax) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
}

/** RFC 6901 escaping of one reference token. */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** 1-based line and column of a character offset (columns count UTF-16 units). */
export function offsetToLocation(file: string, text: string, offset: number): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { file, line, column: offset - lineStart + 1 };
}
