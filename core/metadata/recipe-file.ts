import { dirname } from 'node:path';
import { readCheckedFile } from './include.js';
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import { assignment, Level } from './assignment.js';
import { BODY, readBody, type Body } from './body.js';
import type { Layer } from './layer.js';
import { asString, get, map, str } from './schema.js';
import { parseYamlFile, type LValue } from './yaml.js';

/** Reads a metadata file into its located tree (with includes merged, see include.ts). */
export type MetadataReader = (file: string) => LValue;

// Recipe, append and class files as written, before any merging.

export interface RecipeFile extends Body {
  readonly name: string;
  readonly version: string;
  readonly file: string;
  readonly dir: string;
  readonly layer: Layer;
  readonly loc: SourceLocation;
}

export interface AppendFile extends Body {
  /** The recipe name this append applies to. */
  readonly target: string;
  /** Optional version pattern, `%` or `*` as wildcard. */
  readonly version?: string;
  readonly file: string;
  readonly dir: string;
  readonly layer: Layer;
  readonly loc: SourceLocation;
}

export interface ClassFile extends Body {
  readonly name: string;
  readonly file: string;
  readonly dir: string;
  readonly layer: Layer;
}

// Each file kind is checked whole before anything is read from it.
const RECIPE = map(
  { name: str({ nonEmpty: true }), version: str({ nonEmpty: true }), license: str(), summary: str(), homepage: str(), ...BODY },
  { required: ['name', 'version'] },
);
const APPEND = map({ append: str({ nonEmpty: true }), version: str({ nonEmpty: true }), ...BODY }, { required: ['append'] });
const CLASS = map({ summary: str(), ...BODY });

export function loadRecipeFile(file: string, layer: Layer, read: MetadataReader = parseYamlFile): RecipeFile {
  const { tree, entries: m } = readCheckedFile(read, file, RECIPE, 'recipe');
  const name = asString(get(m, 'name')!, 'recipe name');
  const version = asString(get(m, 'version')!, 'recipe version');
  const body = readBody(m, Level.Recipe);
  // Descriptive fields become variables too, so `${version}` and
  // `strata env` treat them like any other value.
  const fields = [
    ['PN', name, 'name'],
    ['PV', version, 'version'],
    ['name', name, 'name'],
    ['version', version, 'version'],
  ] as const;
  const extra = fields.map(([key, value, from]) => assignment(key, value, Level.Recipe, m.get(from)!.keyLoc));
  for (const k of ['license', 'summary', 'homepage']) {
    const v = get(m, k);
    if (v) extra.push(assignment(k.toUpperCase(), asString(v, k), Level.Recipe, m.get(k)!.keyLoc));
  }
  return { ...body, assignments: [...extra, ...body.assignments], name, version, file, dir: dirname(file), layer, loc: tree.loc };
}

export function loadAppendFile(file: string, layer: Layer, read: MetadataReader = parseYamlFile): AppendFile {
  const { tree, entries: m } = readCheckedFile(read, file, APPEND, 'append');
  const version = get(m, 'version');
  return {
    ...readBody(m, Level.Append),
    target: asString(get(m, 'append')!, 'append target'),
    version: version ? asString(version, 'append version') : undefined,
    file,
    dir: dirname(file),
    layer,
    loc: tree.loc,
  };
}

export function loadClassFile(file: string, name: string, layer: Layer, read: MetadataReader = parseYamlFile): ClassFile {
  const { entries: m } = readCheckedFile(read, file, CLASS, `class ${name}`);
  return { ...readBody(m, Level.Class), name, file, dir: dirname(file), layer };
}
