import { diag, UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import { assignment, Level, type Assignment } from './assignment.js';
import { anything, asMapEntries, asSeq, asString, asStringList, asText, bool, dict, either, get, list, map, str, strings, text, type Shape } from './schema.js';
import type { LEntry, LMap } from './yaml.js';
import { DECLARATION_KEYS, readDeclarations, type RootfsDeclarations } from './declarations.js';

// The part that recipes, appends and classes share: variables, task scripts,
// dependencies, sources, packaging. Appends and classes add to a recipe with
// exactly these fields, so one reader serves all three.

export interface SourceSpec {
  /** As written; may hold `${version}` and friends, expanded per recipe. For `git:` sources, the repository. */
  readonly url: string;
  readonly sha256?: string;
  /** File name in the download folder, when the URL's last segment is a poor one. */
  readonly downloadName?: string;
  /** Unpack archives (default true). */
  readonly unpack: boolean;
  readonly loc: SourceLocation;
  /** Present for `git:` sources: the pin as written (checked in core/fetch/git-source.ts). */
  readonly git?: GitSpec;
}

/** A value as written, with where it was written. */
export interface Located<T> {
  readonly value: T;
  readonly loc: SourceLocation;
}

export interface GitSpec {
  readonly rev?: Located<string>;
  readonly branch?: Located<string>;
  readonly tag?: Located<string>;
}

export interface PackageSpec {
  readonly name: string;
  readonly patterns: readonly string[];
  readonly loc: SourceLocation;
  /** Where each pattern is written, in the order of `patterns`. */
  readonly patternLocs?: readonly SourceLocation[];
  /** The package a recipe without `packages:` gets (`/**`): it may be empty. */
  readonly implicit?: boolean;
}

/**
 * A dynamic package declaration (`packages-dynamic:`, Yocto's
 * PACKAGES_DYNAMIC with do_split_packages): one package per file matched,
 * named from the `%` match (core/package/dynamic.ts).
 */
export interface DynamicPackageSpec {
  /** The package pattern, with one `%`: `kernel-module-%`. */
  readonly pattern: string;
  /** File patterns, each with one `%` in its last segment. */
  readonly files: readonly string[];
  readonly fileLocs: readonly SourceLocation[];
  /** Run-time dependencies of every package it makes. */
  readonly rdepends: readonly string[];
  readonly rdependsAt: readonly SourceLocation[];
  /** Where more run-time dependencies come from: `modules.dep` (depmod's, between kernel modules). */
  readonly rdependsFrom?: 'modules.dep';
  readonly loc: SourceLocation;
}

export interface Body {
  readonly inherit: readonly string[];
  readonly depends: readonly string[];
  /** Where each of `depends` is written, for errors about it. */
  readonly dependsAt: ReadonlyMap<string, SourceLocation>;
  readonly provides: readonly string[];
  readonly sources: readonly SourceSpec[];
  readonly assignments: readonly Assignment[];
  readonly packages: readonly PackageSpec[];
  readonly dynamicPackages: readonly DynamicPackageSpec[];
  readonly rdepends: ReadonlyMap<string, readonly string[]>;
  /** Where each run-time dependency is written, by `<package> <dependency>`. */
  readonly rdependsAt: ReadonlyMap<string, SourceLocation>;
  /** Per package, the patterns of its configuration files (default: everything under /etc). */
  readonly conffiles: ReadonlyMap<string, readonly string[]>;
  /** Users, groups, device nodes and permissions (see core/metadata/declarations.ts). */
  readonly declarations: RootfsDeclarations;
}

const GIT_KEYS = ['rev', 'branch', 'tag'];

/** A source is either a file to download (`url:`) or a git repository (`git:`), and only a git source has a pin. */
function sourceKind(m: LMap): Diagnostic[] {
  const has = (k: string) => m.entries.some((e) => e.key === k);
  const isGit = has('git');
  if (isGit === has('url')) {
    return [diag('schema-missing-key', isGit ? "source: 'url' and 'git' cannot both be given" : "source: missing required key 'url' (or 'git')", m.loc)];
  }
  if (isGit) return [];
  return m.entries
    .filter((e) => GIT_KEYS.includes(e.key))
    .map((e) =>
      diag('schema-unknown-key', `source: '${e.key}' belongs to git sources`, e.keyLoc, {
        hint: 'write the repository as `git: <url>` instead of `url:`',
      }),
    );
}

/** The keys recipes, appends and classes share, for the schema of each (recipe-file.ts). */
export const BODY: Readonly<Record<string, Shape>> = {
  inherit: strings,
  depends: strings,
  provides: strings,
  // A URL, or a map: a download (`url:`) or a git source (`git:`, sourceKind).
  sources: list(
    either(
      str({ nonEmpty: true }),
      map(
        {
          url: str({ nonEmpty: true }),
          git: str({ nonEmpty: true }),
          sha256: str(),
          name: str({ nonEmpty: true }),
          unpack: bool,
          rev: str(),
          branch: str(),
          tag: str(),
        },
        { check: sourceKind },
      ),
    ),
  ),
  vars: dict(text, (key) => `variable ${key}`),
  tasks: dict(text, (key) => `task ${key}`),
  packages: dict(strings, (key) => `package ${key}`),
  'packages-dynamic': dict(
    map({ files: either(str({ nonEmpty: true }), strings), rdepends: strings, 'rdepends-from': str({ oneOf: ['modules.dep'] }) }, { required: ['files'] }),
    (key) => `dynamic package ${key}`,
  ),
  rdepends: dict(strings, (key) => `rdepends of ${key}`),
  conffiles: dict(strings, (key) => `conffiles of ${key}`),
  // Read and checked by core/metadata/declarations.ts.
  ...Object.fromEntries(DECLARATION_KEYS.map((k) => [k, anything])),
};

function readGit(m: Map<string, LEntry>): GitSpec {
  const field = (key: string): Located<string> | undefined => {
    const e = m.get(key);
    return e ? { value: asString(e.value, `git source ${key}`), loc: e.value.loc } : undefined;
  };
  return { rev: field('rev'), branch: field('branch'), tag: field('tag') };
}

function readSources(v: LEntry['value'] | undefined): SourceSpec[] {
  if (!v) return [];
  return asSeq(v, 'sources').map((item) => {
    if (item.kind === 'scalar') return { url: asString(item, 'source url'), unpack: true, loc: item.loc };
    // Checked whole with the file (sourceKind): exactly one of url and git.
    const m = new Map(item.kind === 'map' ? item.entries.map((e) => [e.key, e]) : []);
    const isGit = m.has('git');
    const sha = get(m, 'sha256');
    const name = get(m, 'name');
    const unpack = get(m, 'unpack');
    return {
      url: asString(get(m, isGit ? 'git' : 'url')!, isGit ? 'git repository url' : 'source url'),
      sha256: sha ? asString(sha, 'source sha256') : undefined,
      downloadName: name ? asString(name, 'source name') : undefined,
      unpack: unpack ? unpack.kind === 'scalar' && unpack.value === true : true,
      loc: item.loc,
      git: isGit ? readGit(m) : undefined,
    };
  });
}

/** `packages-dynamic:` entries; the `%` rules are checked here, so a bad one fails at parse time. */
function readDynamicPackages(v: LEntry['value'] | undefined): DynamicPackageSpec[] {
  if (!v) return [];
  const percents = (s: string) => s.split('%').length - 1;
  return asMapEntries(v, 'packages-dynamic').map((e) => {
    if (percents(e.key) !== 1)
      throw new UserError(
        diag('package-dynamic-pattern', `dynamic package '${e.key}' must have exactly one '%' (where the name from each file goes)`, e.keyLoc, {
          hint: 'e.g. kernel-module-%',
        }),
      );
    const m = new Map(e.value.kind === 'map' ? e.value.entries.map((x) => [x.key, x]) : []);
    const filesV = get(m, 'files')!;
    const items = filesV.kind === 'seq' ? filesV.items : [filesV];
    const files = items.map((i) => asString(i, `files of dynamic package ${e.key}`));
    files.forEach((f, i) => {
      const last = f.slice(f.lastIndexOf('/') + 1);
      if (!f.startsWith('/') || percents(f) !== 1 || !last.includes('%'))
        throw new UserError(
          diag('package-dynamic-pattern', `file pattern '${f}' of ${e.key} must be absolute and have exactly one '%', in its last segment`, items[i].loc, {
            hint: 'e.g. /lib/modules/*/kernel/**/%.ko: % is the part of the file name that names the package',
          }),
        );
    });
    const rdV = get(m, 'rdepends');
    const from = get(m, 'rdepends-from');
    return {
      pattern: e.key,
      files,
      fileLocs: items.map((i) => i.loc),
      rdepends: rdV ? asStringList(rdV, `rdepends of ${e.key}`) : [],
      rdependsAt: rdV?.kind === 'seq' ? rdV.items.map((i) => i.loc) : [],
      rdependsFrom: from ? (asString(from, 'rdepends-from') as 'modules.dep') : undefined,
      loc: e.keyLoc,
    };
  });
}

/** Task scripts are variables named `do_<task>`, so every operator works on them. */
export const taskVariable = (task: string): string => `do_${task}`;

export function readBody(m: Map<string, LEntry>, level: Level): Body {
  const list = (key: string) => {
    const v = get(m, key);
    return v ? asStringList(v, key) : [];
  };
  const assignments: Assignment[] = [];
  const vars = get(m, 'vars');
  if (vars) for (const e of asMapEntries(vars, 'vars')) assignments.push(assignment(e.key, asText(e.value, `variable ${e.key}`), level, e.keyLoc));
  const tasks = get(m, 'tasks');
  if (tasks) for (const e of asMapEntries(tasks, 'tasks')) assignments.push(assignment(taskVariable(e.key), asText(e.value, `task ${e.key}`), level, e.keyLoc));
  const packages: PackageSpec[] = [];
  const pk = get(m, 'packages');
  if (pk) {
    for (const e of asMapEntries(pk, 'packages')) {
      const patternLocs = e.value.kind === 'seq' ? e.value.items.map((i) => i.loc) : [];
      packages.push({ name: e.key, patterns: asStringList(e.value, `package ${e.key}`), loc: e.keyLoc, patternLocs });
    }
  }
  const rdepends = new Map<string, string[]>();
  const dynamicPackages = readDynamicPackages(get(m, 'packages-dynamic'));
  const rd = get(m, 'rdepends');
  const rdependsAt = new Map<string, SourceLocation>();
  if (rd) {
    for (const e of asMapEntries(rd, 'rdepends')) {
      rdepends.set(e.key, asStringList(e.value, `rdepends of ${e.key}`));
      if (e.value.kind === 'seq') for (const item of e.value.items) if (item.kind === 'scalar') rdependsAt.set(`${e.key} ${String(item.value)}`, item.loc);
    }
  }
  const conffiles = new Map<string, string[]>();
  const cf = get(m, 'conffiles');
  if (cf) for (const e of asMapEntries(cf, 'conffiles')) conffiles.set(e.key, asStringList(e.value, `conffiles of ${e.key}`));
  const dependsAt = new Map<string, SourceLocation>();
  const dv = get(m, 'depends');
  if (dv?.kind === 'seq') for (const item of dv.items) if (item.kind === 'scalar') dependsAt.set(String(item.value), item.loc);
  return {
    dependsAt,
    inherit: list('inherit'),
    depends: list('depends'),
    provides: list('provides'),
    sources: readSources(get(m, 'sources')),
    assignments,
    packages,
    dynamicPackages,
    rdepends,
    rdependsAt,
    conffiles,
    declarations: readDeclarations(m, true),
  };
}
