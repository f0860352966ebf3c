import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { diag, UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import { asSeq, asString, describe, validate, type MapShape } from './schema.js';
import { parseYamlFile, type LEntry, type LMap, type LValue } from './yaml.js';

// Shared YAML fragments. Any metadata file (recipe, append, class, machine,
// distro, image, strata.yaml) may start with `include: [name, …]`; each named
// fragment is read as if its keys were written in the including file, before
// the file's own keys, so the file can still change what it included:
//
//  - a list (depends, sources, …) is the fragment's items then the file's;
//  - a map (vars, tasks, …) is the fragment's entries then the file's, and
//    since later assignments win, the file's own `vars` beat the fragment's
//    while `strata env` still shows both with their own file:line;
//  - a plain value (arch, version, …) in the file replaces the fragment's.
//
// A fragment named `x` is `x.inc.yaml` or `x.yaml`, looked up next to the
// including file, then in the `include/` folder of every layer, highest
// priority first. Beside recipes, fragments must be `.inc.yaml` files, so
// they are never mistaken for recipes. Fragments may include
// others; a cycle is an error naming the chain. All of a file's include
// problems, its fragments' included, are reported together, and with the
// file's own schema problems (readCheckedFile), so one run shows them all.

/** Include problems, with the file as far as it could be merged (bad fragments left out). */
export class IncludeProblems extends UserError {
  constructor(
    diagnostics: readonly Diagnostic[],
    readonly partial: LValue,
  ) {
    super(diagnostics);
  }
}

export class IncludeResolver {
  private readonly parsed = new Map<string, LValue>();

  /** `searchDirs`: the `include/` folders to try after the including file's own folder. */
  constructor(private readonly searchDirs: readonly string[] = []) {}

  /** Reads a metadata file with its includes merged in. */
  read = (file: string): LValue => this.readChain(file, []);

  private readChain(file: string, chain: readonly { file: string; loc: SourceLocation }[]): LValue {
    // Fragments are kept, since many files include the same ones; the files
    // read at the top (recipes, configs) are read once and not kept.
    let tree = this.parsed.get(file);
    if (!tree) {
      tree = parseYamlFile(file);
      if (chain.length) this.parsed.set(file, tree);
    }
    if (tree.kind !== 'map') return tree;
    const includeEntry = tree.entries.find((e) => e.key === 'include');
    if (!includeEntry) return tree;
    const own: LMap = { ...tree, entries: tree.entries.filter((e) => e !== includeEntry) };
    // Every include of the file is tried, and every problem (a missing
    // fragment, a cycle, a fragment's own problems, a clash of shapes) is
    // reported at once; a fragment with a problem is left out of the merge.
    const problems: Diagnostic[] = [];
    let merged: LMap | undefined;
    for (const item of asSeq(includeEntry.value, 'include')) {
      try {
        const fragment = this.fragment(item, file, chain);
        merged = merged ? mergeMaps(merged, fragment, problems) : fragment;
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        // A fragment included along two paths reports its problems once.
        for (const d of e.diagnostics) if (!problems.some((p) => sameProblem(p, d))) problems.push(d);
      }
    }
    const result = merged ? mergeMaps(merged, own, problems) : own;
    if (problems.length) throw new IncludeProblems(problems, result);
    return result;
  }

  /** One included fragment, with its own includes merged. */
  private fragment(item: LValue, file: string, chain: readonly { file: string; loc: SourceLocation }[]): LMap {
    const name = asString(item, 'include');
    const target = this.find(name, file, item.loc);
    const seen = chain.findIndex((c) => c.file === target);
    if (target === file || seen >= 0) {
      const links = [...chain.slice(Math.max(seen, 0)), { file, loc: item.loc }];
      throw new UserError(
        diag('include-cycle', `include cycle: ${[...links.map((l) => l.file), target].join(' -> ')}`, item.loc, {
          related: links.slice(0, -1).map((l) => ({ message: 'included from here', location: l.loc })),
          hint: 'remove one of these includes',
        }),
      );
    }
    const fragment = this.readChain(target, [...chain, { file, loc: item.loc }]);
    if (fragment.kind !== 'map')
      throw new UserError(diag('include-not-map', `included file ${target} must be a map of keys, found ${describe(fragment)}`, fragment.loc));
    return fragment;
  }

  private find(name: string, from: string, loc: SourceLocation): string {
    const spellings = name.endsWith('.yaml') ? [name] : [`${name}.inc.yaml`, `${name}.yaml`];
    const dirs = isAbsolute(name) ? [''] : [dirname(from), ...this.searchDirs];
    const tried = dirs.flatMap((d) => spellings.map((n) => resolve(d, n)));
    const hit = tried.find((p) => existsSync(p));
    if (hit) return hit;
    throw new UserError(diag('include-missing', `included file '${name}' not found`, loc, { hint: `looked for: ${tried.join(', ')}` }));
  }
}

/**
 * Reads `file` through `read` (parseYamlFile or an IncludeResolver's read)
 * and checks it against `shape`: the include problems and the schema's
 * problems of what could be merged come in one error. `first` is a check
 * that, when it fails, is the only problem worth reporting (a format version
 * this Strata does not know). While an include failed, a missing required
 * key is not reported: the fragment that failed may hold it.
 */
export function readCheckedFile(
  read: (file: string) => LValue,
  file: string,
  shape: MapShape,
  name: string,
  first?: (tree: LValue) => Diagnostic | undefined,
): { tree: LValue; entries: Map<string, LEntry> } {
  let tree: LValue;
  let problems: Diagnostic[] = [];
  try {
    tree = read(file);
  } catch (e) {
    if (!(e instanceof IncludeProblems)) throw e;
    tree = e.partial;
    problems = [...e.diagnostics];
  }
  const firstProblem = first?.(tree);
  if (firstProblem) throw new UserError(firstProblem);
  // An entry whose shape clashes with a fragment's is reported once, by the clash.
  const clashes = new Set(problems.filter((d) => d.code === 'include-conflict').map((d) => `${d.location?.file}:${d.location?.line}`));
  const own = validate(tree, shape, name).filter((d) => !clashes.has(`${d.location?.file}:${d.location?.line}`));
  problems.push(...(problems.length ? own.filter((d) => d.code !== 'schema-missing-key') : own));
  if (problems.length) throw new UserError(problems);
  return { tree, entries: new Map((tree as LMap).entries.map((e) => [e.key, e])) };
}

const sameProblem = (a: Diagnostic, b: Diagnostic): boolean =>
  a.code === b.code &&
  a.message === b.message &&
  a.location?.file === b.location?.file &&
  a.location?.line === b.location?.line &&
  a.location?.column === b.location?.column;

/** `later`'s keys as if written after `earlier`'s (see the rules above); a key of two shapes is a problem, and keeps `later`'s value. */
export function mergeMaps(earlier: LMap, later: LMap, problems: Diagnostic[]): LMap {
  const entries: LEntry[] = [...earlier.entries];
  for (const e of later.entries) {
    const at = entries.findIndex((x) => x.key === e.key);
    if (at < 0) {
      entries.push(e);
      continue;
    }
    const before = entries[at].value;
    const now = e.value;
    if (before.kind === 'seq' && now.kind === 'seq') entries[at] = { ...e, value: { ...now, items: [...before.items, ...now.items] } };
    else if (before.kind === 'map' && now.kind === 'map') entries[at] = { ...e, value: { ...now, entries: [...before.entries, ...now.entries] } };
    else if (before.kind === 'scalar' && now.kind === 'scalar') entries[at] = e;
    else {
      problems.push(
        diag('include-conflict', `'${e.key}' is ${describe(now)} here but ${describe(before)} in an included file`, e.keyLoc, {
          related: [{ message: 'the included value', location: entries[at].keyLoc }],
          hint: 'give both the same shape (both lists, both maps or both plain values)',
        }),
      );
      entries[at] = e;
    }
  }
  return { ...later, entries };
}
