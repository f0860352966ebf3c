import { basename } from 'node:path';
import { readCheckedFile } from '../metadata/include.js';
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import { Level, type Assignment } from '../metadata/assignment.js';
import { asString, asStringList, dict, get, map, str, strings, text } from '../metadata/schema.js';
import { parseYamlFile } from '../metadata/yaml.js';
import type { MetadataReader } from '../metadata/recipe-file.js';
import { readPreferredVersions, readProviders, readVars, type PreferredVersion, type ProviderChoice } from './vars.js';

// A distro is a policy: which libc, which init, which providers, and the
// name the device reports in /etc/os-release.

export interface Distro {
  readonly name: string;
  readonly version: string;
  readonly prettyName: string;
  readonly libc: string;
  readonly file: string;
  readonly loc: SourceLocation;
  readonly overrides: readonly string[];
  readonly providers: ReadonlyMap<string, ProviderChoice>;
  readonly assignments: readonly Assignment[];
  readonly preferredVersions: ReadonlyMap<string, PreferredVersion>;
  /** `init:`, the init system every image of this distro installs (core/graph/init-group.ts); absent when the file names none. */
  readonly init?: { readonly value: string; readonly loc: SourceLocation };
}

/** A distro file, checked whole before anything is read from it. */
const DISTRO = map(
  {
    name: str(),
    version: str(),
    'pretty-name': str(),
    summary: str(),
    libc: str({ nonEmpty: true }),
    init: str({ nonEmpty: true }),
    overrides: strings,
    providers: dict(str(), (key) => `provider of ${key}`),
    vars: dict(text, (key) => `variable ${key}`),
    'preferred-versions': dict(str(), (key) => `preferred version of ${key}`),
  },
  { required: ['version', 'libc'] },
);

export function loadDistro(file: string, read: MetadataReader = parseYamlFile): Distro {
  const { tree, entries: m } = readCheckedFile(read, file, DISTRO, 'distro');
  const name = get(m, 'name') ? asString(get(m, 'name')!, 'distro name') : basename(file, '.yaml');
  const overrides = get(m, 'overrides');
  const version = asString(get(m, 'version')!, 'distro version');
  const init = get(m, 'init');
  return {
    name,
    version,
    prettyName: get(m, 'pretty-name') ? asString(get(m, 'pretty-name')!, 'distro pretty-name') : `${name} ${version}`,
    libc: asString(get(m, 'libc')!, 'distro libc'),
    file,
    loc: tree.loc,
    overrides: overrides ? asStringList(overrides, 'distro overrides') : [],
    providers: readProviders(m),
    assignments: readVars(m, Level.Distro),
    preferredVersions: readPreferredVersions(m),
    ...(init ? { init: { value: asString(init, 'distro init'), loc: init.loc } } : {}),
  };
}
