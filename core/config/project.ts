import { existsSync, readFileSync } from 'node:fs';
import type { Document, YAMLMap } from 'yaml';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { Level, type Assignment } from '../metadata/assignment.js';
import type { Mask } from '../metadata/catalog.js';
import { IncludeResolver, readCheckedFile } from '../metadata/include.js';
import {
  anything,
  asBoolean,
  asNumber,
  asSeq,
  asString,
  asStringList,
  bool,
  dict,
  either,
  formatVersion,
  get,
  map,
  METADATA_FORMAT,
  num,
  str,
  strings,
  text,
} from '../metadata/schema.js';
import { yamlPackage, type LEntry, type LValue } from '../metadata/yaml.js';
import { deleteTopKey } from '../metadata/yaml-edit.js';
import { readPreferredVersions, readVars, type PreferredVersion } from './vars.js';

// The project: which layers, machine and distro, where sources come from and
// where outputs go. A folder without strata.yaml gets Strata's built-in
// layers, machine qemuarm64, distro strata and the mirror/ folder beside
// Strata itself (filled by `npm run setup`).

/** The folder Strata is installed in (holds layers/, machines/, distros/, images/). */
export const STRATA_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

export interface Project {
  readonly dir: string;
  readonly file?: string;
  readonly layers: readonly string[];
  readonly machine: string;
  readonly distro: string;
  readonly premirrors: readonly string[];
  readonly mirrors: readonly string[];
  readonly downloads: string;
  readonly buildDir: string;
  readonly offline: boolean;
  readonly jobs: number;
  /** Upstream hosts the fetch phase may contact (`allowed-hosts:`); undefined: any. */
  readonly allowedHosts?: { readonly patterns: readonly string[]; readonly loc: SourceLocation };
  readonly fetch: FetchTuning;
  readonly assignments: readonly Assignment[];
  /** Where the layers are listed, for errors about layers. */
  readonly layersLoc?: SourceLocation;
  /** Recipe, append and class files to ignore, as `<layer>/<path glob>`. */
  readonly masks: readonly Mask[];
  readonly preferredVersions: ReadonlyMap<string, PreferredVersion>;
  /** The local cache of task outputs (shared by build folders that name the same one), or undefined when off. */
  readonly cache?: string;
  /** A shared cache over HTTP(S): read always, written when `write: true`. */
  readonly remoteCache?: { readonly url: string; readonly write: boolean };
  /** Folders outside the layers and the project that `file://` sources may name (`file-source-dirs:`). */
  readonly fileSourceDirs: readonly string[];
}

/** How the fetch phase treats the network: `fetch-*` keys of strata.yaml. */
export interface FetchTuning {
  /** Sources downloaded at once. */
  readonly parallel: number;
  /** Tries after the first on a transient failure (reset, cut off, timeout, 5xx). */
  readonly retries: number;
  readonly connectTimeoutMs: number;
  /** Longest silence on a connection before it counts as failed. */
  readonly idleTimeoutMs: number;
}

export interface CommandLineSettings {
  machine?: string;
  distro?: string;
  mirrors?: string[];
  offline?: boolean;
  jobs?: number;
  /** `--set` assignments, stronger than every file. */
  vars?: readonly Assignment[];
}

/** strata.yaml, checked whole before anything is read from it (docs/metadata.md). */
const PROJECT = map({
  format: anything, // checked first, by formatVersion
  layers: strings,
  machine: str({ nonEmpty: true }),
  distro: str({ nonEmpty: true }),
  premirrors: strings,
  mirrors: strings,
  downloads: str({ nonEmpty: true }),
  build: str({ nonEmpty: true }),
  offline: bool,
  jobs: num({ whole: true, min: 1 }),
  vars: dict(text, (key) => `variable ${key}`),
  masks: strings,
  'preferred-versions': dict(str(), (key) => `preferred version of ${key}`),
  cache: either(str({ nonEmpty: true }), bool),
  'remote-cache': either(str(), map({ url: str(), write: bool }, { required: ['url'] })),
  'allowed-hosts': strings,
  'file-source-dirs': strings,
  'fetch-parallel': num({ whole: true, min: 1 }),
  'fetch-retries': num({ whole: true, min: 0 }),
  // Written in seconds, like timeouts in wget and curl options.
  'fetch-connect-timeout': num({ min: 0.001 }),
  'fetch-idle-timeout': num({ min: 0.001 }),
});

/** A mirror is a folder (relative to the project) or an http(s) URL. */
const place = (dir: string, p: string): string => (/^[a-z]+:\/\//.test(p) ? p : resolve(dir, p));

/** `cache: <folder>` (default `cache/` in the project), or `cache: false` for none. */
function cacheDir(dir: string, v: LValue | undefined): string | undefined {
  if (!v) return resolve(dir, 'cache');
  if (v.kind === 'scalar' && typeof v.value === 'boolean') {
    if (!v.value) return undefined;
    throw new UserError(
      diag('schema-value', 'cache: true is not a folder', v.loc, { hint: 'name the folder (`cache: cache`), or write `cache: false` for none' }),
    );
  }
  return resolve(dir, asString(v, 'cache'));
}

/** `remote-cache: <url>` (read-only) or `remote-cache: { url: <url>, write: true }`. */
function remoteCache(v: LValue | undefined): Project['remoteCache'] {
  if (!v) return undefined;
  if (v.kind === 'scalar') return { url: checkedUrl(v), write: false };
  const m = new Map(v.kind === 'map' ? v.entries.map((e) => [e.key, e]) : []);
  return { url: checkedUrl(get(m, 'url')!), write: get(m, 'write') ? asBoolean(get(m, 'write')!, 'remote-cache write') : false };
}

function checkedUrl(v: LValue): string {
  const url = asString(v, 'remote-cache url');
  if (!/^https?:\/\//.test(url))
    throw new UserError(
      diag('schema-type', `remote-cache: '${url}' is not an http(s) URL`, v.loc, { hint: 'for a shared folder, use `cache: <folder>` instead' }),
    );
  return url;
}

/** Reads strata.yaml (with its includes, looked up beside it: layers are not known yet) and checks it whole. */
function readProjectFile(file: string): Map<string, LEntry> {
  const format = (tree: LValue) =>
    formatVersion(tree, {
      key: 'format',
      known: METADATA_FORMAT,
      file: 'this project file',
      hint: 'the project is made for a newer Strata: upgrade Strata (the project says which format it needs)',
    });
  return readCheckedFile(new IncludeResolver().read, file, PROJECT, 'strata.yaml', format).entries;
}

export function loadProject(dir: string, cli: CommandLineSettings = {}): Project {
  const file = resolve(dir, 'strata.yaml');
  const m = existsSync(file) ? readProjectFile(file) : new Map<string, LEntry>();
  const str = (k: string) => (get(m, k) ? asString(get(m, k)!, k) : undefined);
  const list = (k: string) => (get(m, k) ? asStringList(get(m, k)!, k) : undefined);
  const number = (k: string, fallback: number): number => (get(m, k) ? asNumber(get(m, k)!, k) : fallback);
  const hosts = get(m, 'allowed-hosts');
  const mirrors = [
    ...(cli.mirrors ?? []).map((p) => place(process.cwd(), p)),
    ...(list('mirrors')?.map((p) => place(dir, p)) ?? [resolve(STRATA_ROOT, 'mirror')]),
  ];
  return {
    dir,
    file: existsSync(file) ? file : undefined,
    layers: list('layers')?.map((p) => resolve(dir, p)) ?? [resolve(STRATA_ROOT, 'layers/core')],
    machine: cli.machine ?? str('machine') ?? 'qemuarm64',
    distro: cli.distro ?? str('distro') ?? 'strata',
    premirrors: list('premirrors')?.map((p) => place(dir, p)) ?? [],
    mirrors,
    downloads: resolve(dir, str('downloads') ?? 'downloads'),
    buildDir: resolve(dir, str('build') ?? 'build'),
    offline: cli.offline || (get(m, 'offline') ? asBoolean(get(m, 'offline')!, 'offline') : false),
    jobs: cli.jobs ?? (get(m, 'jobs') ? asNumber(get(m, 'jobs')!, 'jobs') : 2),
    allowedHosts: hosts ? { patterns: asStringList(hosts, 'allowed-hosts'), loc: m.get('allowed-hosts')!.keyLoc } : undefined,
    fetch: {
      parallel: number('fetch-parallel', 4),
      retries: number('fetch-retries', 3),
      connectTimeoutMs: number('fetch-connect-timeout', 15) * 1000,
      idleTimeoutMs: number('fetch-idle-timeout', 30) * 1000,
    },
    assignments: [...readVars(m, Level.Project), ...(cli.vars ?? [])],
    layersLoc: m.get('layers')?.keyLoc,
    masks: get(m, 'masks') ? asSeq(get(m, 'masks')!, 'masks').map((v) => ({ pattern: asString(v, 'mask'), loc: v.loc })) : [],
    preferredVersions: readPreferredVersions(m),
    cache: cacheDir(dir, get(m, 'cache')),
    remoteCache: remoteCache(get(m, 'remote-cache')),
    fileSourceDirs: list('file-source-dirs')?.map((p) => resolve(dir, p)) ?? [],
  };
}

/**
 * The writer of project files, beside their reader: strata.yaml for a
 * project made from `project` (a release, a reproduce folder), with the
 * file's own settings as written, `settings` replacing the keys they name
 * and `drop` removed, under the format this Strata writes.
 */
export function projectFileText(project: Project, settings: Record<string, unknown>, drop: readonly string[], header: string): string {
  // Edited as a YAML document, not loaded and dumped: comments stay, and a
  // value keeps its spelling (`1.10` is not turned into the number 1.1).
  const { Document, isMap, parseDocument } = yamlPackage();
  const parsed = project.file && existsSync(project.file) ? parseDocument(readFileSync(project.file, 'utf8')) : undefined;
  const doc: Document = parsed && isMap(parsed.contents) ? parsed : new Document({});
  for (const k of [...drop, 'format']) deleteTopKey(doc, k);
  for (const [k, v] of Object.entries(settings)) doc.set(k, v);
  (doc.contents as YAMLMap).items.unshift(doc.createPair('format', METADATA_FORMAT));
  return `# ${header}\n${doc.toString({ lineWidth: 0 })}`;
}
