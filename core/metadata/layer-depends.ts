import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { compareVersions } from '../model/version.js';

// A layer dependency as written in layer.yaml: a layer name, optionally with
// version constraints, e.g. `core`, `core >= 1.2`, `core >= 1.2, < 2`.

export type Comparison = '>=' | '<=' | '>' | '<' | '=';

export interface VersionConstraint {
  readonly op: Comparison;
  readonly version: string;
}

export interface LayerDependency {
  readonly name: string;
  readonly constraints: readonly VersionConstraint[];
  readonly text: string;
  readonly loc: SourceLocation;
}

const CONSTRAINT = /^(>=|<=|==|=|>|<)\s*([A-Za-z0-9][A-Za-z0-9.+~_-]*)$/;

export function parseLayerDependency(text: string, loc: SourceLocation): LayerDependency {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*(.*)$/.exec(text);
  const bad = (why: string): never => {
    throw new UserError(
      diag('layer-depends-syntax', `layer dependency '${text}': ${why}`, loc, {
        hint: "write a layer name, optionally with constraints: 'core', 'core >= 1.2', 'core >= 1.2, < 2'",
      }),
    );
  };
  if (!m) return bad('it does not start with a layer name');
  const rest = m[2].trim();
  const constraints = rest
    ? rest.split(',').map((part) => {
        const c = CONSTRAINT.exec(part.trim());
        if (!c) return bad(`'${part.trim()}' is not a constraint like '>= 1.2'`);
        return { op: (c[1] === '==' ? '=' : c[1]) as Comparison, version: c[2] };
      })
    : [];
  return { name: m[1], constraints, text, loc };
}

export function satisfies(version: string, c: VersionConstraint): boolean {
  const cmp = compareVersions(version, c.version);
  switch (c.op) {
    case '>=':
      return cmp >= 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '=':
      return cmp === 0;
  }
}
