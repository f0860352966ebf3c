import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

// The import graph of core/, read from the TypeScript sources with the
// compiler's own parser (already a dev dependency), so multi-line imports,
// `export … from` and type-only imports are told apart exactly.

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** `import type`, or every name imported is `type X`: erased from the JavaScript. */
  readonly typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node))
    return node.isTypeOnly || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly));
  const clause = node.importClause;
  if (!clause) return false; // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** Every relative import between files under `root/core`, as paths relative to `root`. */
export function importGraph(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sources(join(root, 'core'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
    const visit = (node: ts.Node): void => {
      let spec: ts.Expression | undefined;
      let erased = false;
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
        spec = node.moduleSpecifier;
        erased = typeOnly(node);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        spec = node.arguments[0];
      }
      if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) {
        const to = resolve(dirname(file), spec.text.replace(/\.js$/, '.ts'));
        edges.push({ from: relative(root, file), to: relative(root, to), typeOnly: erased });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return edges;
}

/**
 * One cycle per strongly connected component (Tarjan), each written as the
 * path that closes it: ['a', 'b', 'a']. Empty when the graph is acyclic.
 */
export function findCycles(edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || (next.get(v) ?? []).includes(v)) components.push(c);
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);
  // Within a component every node reaches every other: a shortest path from
  // its first node back to itself names one concrete cycle.
  const cycles = components.map((c) => {
    const inside = new Set(c);
    const start = [...c].sort()[0];
    const from = new Map<string, string>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const w of next.get(queue[i]) ?? []) {
        if (!inside.has(w)) continue;
        if (w === start) {
          const path = [start];
          for (let p = queue[i]; p !== start; p = from.get(p)!) path.splice(1, 0, p);
          return [...path, start];
        }
        if (!from.has(w)) {
          from.set(w, queue[i]);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
