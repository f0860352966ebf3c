import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag, UserError, type SourceLocation } from '../diagnostics/diagnostic.js';
import { Level, type Assignment } from '../metadata/assignment.js';
import type { Mask } from '../metadata/catalog.js';
import { IncludeResolver } from '../metadata/include.js';
import { asBoolean, asNumber, asSeq, asString, asStringList, get, readMap } from '../metadata/schema.js';
import type { LEntry, LValue } from '../metadata/yaml.js';
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

const KEYS = [
  'layers',
  'machine',
  'distro',
  'premirrors',
  'mirrors',
  'downloads',
  'build',
  'offline',
  'jobs',
  'vars',
  'masks',
  'preferred-versions',
  'cache',
  'remote-cache',
  'allowed-hosts',
  'file-source-dirs',
  'fetch-parallel',
  'fetch-retries',
  'fetch-connect-timeout',
  'fetch-idle-timeout',
];

/** A mirror is a folder (relative to the project) or an http(s) URL. */
const place = (dir: string, p: string): string => (/^[a-z]+:\/\//.test(p) ? p : resolve(dir, p));

/** `cache: <folder>` (default `cache/` in the project), or `cache: false` for none. */
function cacheDir(dir: string, v: LValue | undefined): string | undefined {
  if (!v) return resolve(dir, 'cache');
  if (v.kind === 'scalar' && v.value === false) return undefined;
  return resolve(dir, asString(v, 'cache'));
}

/** `remote-cache: <url>` (read-only) or `remote-cache: { url: <url>, write: true }`. */
function remoteCache(v: LValue | undefined): Project['remoteCache'] {
  if (!v) return undefined;
  if (v.kind === 'scalar') return { url: checkedUrl(v), write: false };
  const m = readMap(v, ['url', 'write'], 'remote-cache', ['url']);
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

export function loadProject(dir: string, cli: CommandLineSettings = {}): Project {
  const file = resolve(dir, 'strata.yaml');
  // Includes in strata.yaml are looked up beside it (layers are not known yet).
  const m = existsSync(file) ? readMap(new IncludeResolver().read(file), KEYS, 'strata.yaml') : new Map<string, LEntry>();
  const str = (k: string) => (get(m, k) ? asString(get(m, k)!, k) : undefined);
  const list = (k: string) => (get(m, k) ? asStringList(get(m, k)!, k) : undefined);
  const num = (k: string, fallback: number, min: number, whole: boolean): number => {
    const v = get(m, k);
    if (!v) return fallback;
    const n = asNumber(v, k);
    if (n < min || (whole && !Number.isInteger(n)))
      throw new UserError(diag('schema-range', `${k}: expected a ${whole ? 'whole ' : ''}number of at least ${min}, found ${n}`, v.loc));
    return n;
  };
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
      parallel: num('fetch-parallel', 4, 1, true),
      retries: num('fetch-retries', 3, 0, true),
      // Written in seconds, like timeouts in wget and curl options.
      connectTimeoutMs: num('fetch-connect-timeout', 15, 0.001, false) * 1000,
      idleTimeoutMs: num('fetch-idle-timeout', 30, 0.001, false) * 1000,
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
