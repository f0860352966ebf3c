import { basename } from 'node:path';
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import { Level, type Assignment } from '../metadata/assignment.js';
import { asString, asStringList, get, readMap } from '../metadata/schema.js';
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
}

const KEYS = ['name', 'version', 'pretty-name', 'summary', 'libc', 'init', 'overrides', 'providers', 'vars', 'preferred-versions'];

export function loadDistro(file: string, read: MetadataReader = parseYamlFile): Distro {
  const tree = read(file);
  const m = readMap(tree, KEYS, 'distro', ['version', 'libc']);
  const name = get(m, 'name') ? asString(get(m, 'name')!, 'distro name') : basename(file, '.yaml');
  const overrides = get(m, 'overrides');
  const version = asString(get(m, 'version')!, 'distro version');
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
  };
}
