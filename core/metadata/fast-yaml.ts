import jsYaml from 'js-yaml';
import { offsetLocator } from './offsets.js';
import type { LEntry, LValue } from './tree.js';

// The quick path for reading metadata: js-yaml builds plain values about ten
// times faster than the `yaml` package builds a document, and its parse
// listener reports where each node opens and closes. From those events we
// rebuild the same located tree (every key and value with file:line:col)
// that the careful reader in yaml.ts makes.
//
// It returns undefined for anything it does not reproduce exactly (a syntax
// error, anchors and aliases, tags, explicit `?` keys, directives), and the
// caller then parses the file with the careful reader, which also owns the
// error messages. So both readers give one answer, and only one reports.

interface Frame {
  /** Where js-yaml opened the node, and where its text really starts. */
  readonly opened: number;
  readonly start: number;
  readonly children: LValue[];
  /** The last child's open and close positions and kind, to spot js-yaml's wrapper nodes. */
  last?: { readonly opened: number; readonly closed: number; readonly kind?: string };
}

/** js-yaml opens a node before the blanks and comments that precede it. */
function skipBlanks(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 /* # */) {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return text.length;
      i = eol;
    } else return i;
  }
}

/** Node starts js-yaml handles in ways our rebuilt tree would not mirror. */
const UNSUPPORTED_START = new Set([...'&*!?%<'].map((c) => c.charCodeAt(0)));

export function parseYamlFast(file: string, text: string): LValue | undefined {
  const locAt = offsetLocator(file, text);

  const stack: Frame[] = [{ opened: 0, start: 0, children: [] }];
  let unsupported = false;
  const listener = (event: 'open' | 'close', state: jsYaml.State & { kind?: string; result?: unknown }) => {
    if (unsupported) return;
    if (event === 'open') {
      const start = skipBlanks(text, state.position);
      if (UNSUPPORTED_START.has(text.charCodeAt(start))) unsupported = true;
      stack.push({ opened: state.position, start, children: [] });
      return;
    }
    const frame = stack.pop()!;
    const parent = stack[stack.length - 1];
    const last = frame.last;
    if (frame.children.length === 1 && last && last.opened === frame.opened && last.closed === state.position && last.kind === state.kind) {
      // js-yaml composes a block sequence's entry twice at one place (`- x`,
      // `- [x]`, `- {a: 1}`, `- - x`): the outer node only holds the inner
      // one, so the inner one is the entry.
      parent.children.push(frame.children[0]);
      parent.last = { opened: frame.opened, closed: state.position, kind: state.kind };
      return;
    }
    // An empty value (`KEY:` and nothing more) is placed where it was opened,
    // right after its key, not on the next line where the blanks end.
    const empty = state.result == null && state.kind !== 'mapping' && state.kind !== 'sequence' && text.slice(frame.opened, state.position).trim() === '';
    const loc = locAt(Math.min(empty ? frame.opened : frame.start, text.length));
    const result = state.result;
    let node: LValue;
    if (state.kind === 'mapping') {
      if (frame.children.length % 2 !== 0) {
        unsupported = true;
        return;
      }
      const entries: LEntry[] = [];
      for (let i = 0; i < frame.children.length; i += 2) {
        const k = frame.children[i];
        if (k.kind !== 'scalar' || k.value === null) {
          unsupported = true;
          return;
        }
        entries.push({ key: String(k.value), keyLoc: k.loc, value: frame.children[i + 1] });
      }
      node = { kind: 'map', entries, loc };
    } else if (state.kind === 'sequence') {
      // An empty entry (`-` and nothing) opens no node: js-yaml's own list is the count to trust.
      if (!Array.isArray(result) || result.length !== frame.children.length) {
        unsupported = true;
        return;
      }
      node = { kind: 'seq', items: frame.children, loc };
    } else {
      if (frame.children.length) {
        unsupported = true;
        return;
      }
      const v = result === undefined ? null : result;
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        unsupported = true;
        return;
      }
      // Keep a number's spelling, so `version: 1.10` can be read as "1.10".
      node =
        typeof v === 'number' ? { kind: 'scalar', value: v, text: text.slice(frame.start, state.position).trim(), loc } : { kind: 'scalar', value: v, loc };
    }
    parent.children.push(node);
    parent.last = { opened: frame.opened, closed: state.position, kind: state.kind };
  };

  try {
    jsYaml.load(text, { filename: file, schema: jsYaml.CORE_SCHEMA, json: false, listener: listener as never });
  } catch {
    return undefined;
  }
  if (unsupported || stack.length !== 1) return undefined;
  const root = stack[0].children;
  // An empty file gives no node at all; the careful reader calls it null.
  return root.length === 1 ? root[0] : undefined;
}
