import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { lazyRequire } from '../fs/lazy-require.js';
import type { LineCounter, Node } from 'yaml';
import { diag, UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import { parseYamlFast } from './fast-yaml.js';
import { activeParseCache } from './parse-cache.js';
import type { LEntry, LValue } from './tree.js';

// YAML parsed into a small tree that keeps file:line:col on every key and
// value, so every later error (unknown key, bad type, undefined variable)
// can point at the exact spot the user wrote.

// The tree's types, for the many readers that import them from here.
export type { LEntry, LMap, LScalar, LSeq, LValue } from './tree.js';

function locator(file: string, lc: LineCounter) {
  return (offset: number | undefined): SourceLocation => {
    if (offset === undefined) return { file, line: 0, column: 0 };
    const p = lc.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
}

/** Reads YAML into the located tree: the quick reader when it can, else the careful one. */
export function parseYamlText(file: string, text: string): LValue {
  return parseYamlFast(file, text) ?? parseYamlCarefully(file, text);
}

/**
 * How many nodes aliases may add to one file. Each alias is copied where it
 * is used, so nested aliases grow exponentially ("billion laughs": seven
 * lines make millions of nodes); no metadata file needs more than a few.
 */
export const ALIAS_NODE_LIMIT = 10_000;

// The careful reader is loaded the first time it is needed (a file the quick
// reader declines, or one with an error), not at every start: it is a large
// module, and most commands never use it (bench/startup.ts).
/** The `yaml` package, loaded on first use: 70-odd modules that a command which never meets a YAML error or writes a YAML document should not pay for. */
export const yamlPackage: () => typeof import('yaml') = lazyRequire<typeof import('yaml')>('yaml');

/** The `yaml` package's full document model: slower, and the source of every YAML error message. */
export function parseYamlCarefully(file: string, text: string): LValue {
  const { LineCounter, parseDocument, isMap, isSeq, isScalar, isAlias } = yamlPackage();
  const lc = new LineCounter();
  // Duplicate keys are found below, where both places are known.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const at = locator(file, lc);
  const problems: Diagnostic[] = doc.errors.map((e) => {
    // An unclosed quote is only noticed at the end of the file; point at
    // the quote that opened it, where the mistake is.
    const quote = e.code === 'MISSING_CHAR' ? /closing (["'])quote/.exec(e.message)?.[1] : undefined;
    const where = quote ? text.lastIndexOf(quote, e.pos[0] - 1) : -1;
    return diag('yaml-syntax', `malformed YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, at(where >= 0 ? where : e.pos[0]), {
      hint: quote ? `close the ${quote === '"' ? 'double' : 'single'} quote opened here` : 'check the indentation and quoting on this line',
    });
  });
  if (problems.length) throw new UserError(problems);

  let aliasNodes = 0;
  let aliasAt: SourceLocation | undefined;
  const convert = (node: Node | null | undefined, fallback: number): LValue => {
    if (node == null) return { kind: 'scalar', value: null, loc: at(fallback) };
    const loc = at(node.range?.[0] ?? fallback);
    if (aliasAt && ++aliasNodes > ALIAS_NODE_LIMIT) {
      throw new UserError(
        diag('yaml-alias-limit', `YAML aliases here expand to more than ${ALIAS_NODE_LIMIT} nodes`, aliasAt, {
          hint: 'aliases are copied where they are used, so nested ones grow exponentially; write the values out, or use an include fragment',
        }),
      );
    }
    if (isAlias(node)) {
      const outer = aliasAt === undefined;
      if (outer) aliasAt = loc;
      const value = convert(node.resolve(doc) as Node, fallback);
      if (outer) aliasAt = undefined;
      return value;
    }
    if (isScalar(node)) {
      const v = node.value;
      const value = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
      // Only a number needs its spelling (asString reads `1.10` as "1.10").
      const spelled = typeof value === 'number' && typeof node.source === 'string';
      return spelled ? { kind: 'scalar', value, text: node.source as string, loc } : { kind: 'scalar', value, loc };
    }
    if (isSeq(node)) return { kind: 'seq', items: node.items.map((i) => convert(i as Node, node.range?.[0] ?? fallback)), loc };
    if (isMap(node)) {
      const entries: LEntry[] = [];
      const seen = new Map<string, SourceLocation>();
      for (const pair of node.items) {
        const keyNode = pair.key as Node;
        const keyLoc = at(keyNode?.range?.[0] ?? node.range?.[0]);
        if (!isScalar(keyNode)) throw new UserError(diag('yaml-key', 'map keys must be plain scalars', keyLoc));
        const key = String(keyNode.value);
        const first = seen.get(key);
        if (first && !aliasAt) {
          throw new UserError(
            diag('yaml-duplicate-key', `the key '${key}' is written twice in one map`, keyLoc, {
              related: [{ message: `'${key}' is first written here`, location: first }],
              hint: 'keep one of them',
            }),
          );
        }
        seen.set(key, keyLoc);
        entries.push({ key: String(keyNode.value), keyLoc, value: convert(pair.value as Node, keyNode.range?.[1] ?? 0) });
      }
      return { kind: 'map', entries, loc };
    }
    throw new UserError(diag('yaml-node', 'unsupported YAML node', loc));
  };
  return convert(doc.contents as Node, 0);
}

export function parseYamlFile(file: string): LValue {
  const cache = activeParseCache();
  let text: string;
  let stats: BigIntStats | undefined;
  try {
    // The file's identity is taken before its text: a change in between makes the entry stale, never wrong.
    stats = cache ? statSync(file, { bigint: true }) : undefined;
    const hit = stats && cache!.get(file, stats);
    if (hit) return hit;
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(diag('file-read', `cannot read ${file}: ${(e as Error).message}`, { file, line: 0, column: 0 }));
  }
  const tree = parseYamlText(file, text);
  if (stats) cache!.put(file, stats, tree);
  return tree;
}
