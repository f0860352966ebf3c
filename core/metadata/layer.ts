import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { diag, UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.js';
import { parseYamlFile } from './yaml.js';
import { anything, asNumber, asSeq, asString, asStringList, formatVersion, get, map, METADATA_FORMAT, num, readChecked, str, strings } from './schema.js';
import { parseLayerDependency, satisfies, type LayerDependency } from './layer-depends.js';
import { STRATA_SERIES } from './series.js';

// A layer is a folder with a layer.yaml: its name and version, its priority
// (higher wins when layers disagree), the layers it needs (with version
// constraints), the Strata series it works with, recipe files it masks
// (in any layer), and extra override names its metadata may use.

export interface Layer {
  readonly name: string;
  readonly dir: string;
  readonly file: string;
  readonly loc: SourceLocation;
  readonly version: string;
  readonly priority: number;
  readonly depends: readonly LayerDependency[];
  readonly series: readonly string[];
  readonly seriesLoc: SourceLocation;
  /** Globs over `<layer name>/<path in layer>` of recipe, append and class files to ignore. */
  readonly masks: readonly { pattern: string; loc: SourceLocation }[];
  /** Override names this layer's metadata may use beyond machines', distros' and recipes' names. */
  readonly overrides: readonly string[];
}

/** layer.yaml, checked whole before anything is read from it (docs/metadata.md). */
const LAYER = map(
  {
    format: anything, // checked first, by formatVersion
    name: str({ nonEmpty: true }),
    version: str(),
    priority: num(),
    depends: strings,
    series: strings,
    masks: strings,
    overrides: strings,
    summary: str(),
  },
  { required: ['name'] },
);

export function loadLayer(dir: string): Layer {
  const file = resolve(dir, 'layer.yaml');
  if (!existsSync(file)) {
    throw new UserError(
      diag(
        'layer-missing',
        `${resolve(dir)} is not a layer: it has no layer.yaml`,
        { file: resolve(dir), line: 0, column: 0 },
        { hint: 'check the layers list of strata.yaml' },
      ),
    );
  }
  const tree = parseYamlFile(file);
  const format = formatVersion(tree, {
    key: 'format',
    known: METADATA_FORMAT,
    file: 'this layer',
    hint: 'the layer is made for a newer Strata: upgrade Strata, or use a version of the layer written for this one',
  });
  if (format) throw new UserError(format);
  const m = readChecked(tree, LAYER, 'layer');
  const opt = (k: string) => get(m, k);
  const depends = opt('depends') ? asSeq(opt('depends')!, 'layer depends').map((v) => parseLayerDependency(asString(v, 'layer depends'), v.loc)) : [];
  const masks = opt('masks') ? asSeq(opt('masks')!, 'layer masks').map((v) => ({ pattern: asString(v, 'layer mask'), loc: v.loc })) : [];
  return {
    name: asString(get(m, 'name')!, 'layer name'),
    dir: dirname(file),
    file,
    loc: m.get('name')!.keyLoc,
    version: opt('version') ? asString(opt('version')!, 'layer version') : '0',
    priority: opt('priority') ? asNumber(opt('priority')!, 'layer priority') : 5,
    depends,
    series: opt('series') ? asStringList(opt('series')!, 'layer series') : [],
    seriesLoc: m.get('series')?.keyLoc ?? m.get('name')!.keyLoc,
    masks,
    overrides: opt('overrides') ? asStringList(opt('overrides')!, 'layer overrides') : [],
  };
}

/**
 * Loads the layers in project order and checks them as a set: unique names,
 * every dependency present at an accepted version, every series compatible.
 * All problems are reported together. `listedIn` is where the project lists
 * its layers, so a missing dependency names both files.
 */
export function loadLayers(dirs: readonly string[], listedIn?: SourceLocation): Layer[] {
  const layers = dirs.map(loadLayer);
  const problems: Diagnostic[] = [];
  const byName = new Map<string, Layer>();
  for (const l of layers) {
    const other = byName.get(l.name);
    if (other) {
      problems.push(
        diag('layer-duplicate', `two layers are named '${l.name}'`, l.loc, {
          related: [{ message: `the other layer named '${l.name}'`, location: other.loc }],
          hint: 'remove one of them from the layers list, or rename one',
        }),
      );
      continue;
    }
    byName.set(l.name, l);
  }
  for (const l of layers) {
    if (l.series.length && !l.series.includes(STRATA_SERIES)) {
      problems.push(
        diag('layer-series', `layer '${l.name}' works with Strata series ${l.series.join(', ')}, but this Strata is series ${STRATA_SERIES}`, l.seriesLoc, {
          hint: `use a version of layer '${l.name}' made for series ${STRATA_SERIES}, or add ${STRATA_SERIES} to its series after checking it works`,
        }),
      );
    }
    for (const d of l.depends) {
      const dep = byName.get(d.name);
      if (!dep) {
        problems.push(
          diag('layer-dependency', `layer '${l.name}' depends on layer '${d.name}', which is not in the project`, d.loc, {
            related: listedIn ? [{ message: 'the project lists its layers here', location: listedIn }] : undefined,
            hint: `add the folder of layer '${d.name}' to the layers list of strata.yaml`,
          }),
        );
        continue;
      }
      const failed = d.constraints.filter((c) => !satisfies(dep.version, c));
      if (failed.length) {
        problems.push(
          diag('layer-dependency-version', `layer '${l.name}' needs '${d.text}', but layer '${dep.name}' is version ${dep.version}`, d.loc, {
            related: [{ message: `layer '${dep.name}' (version ${dep.version})`, location: dep.loc }],
            hint: `use a version of layer '${dep.name}' that satisfies ${failed.map((c) => `${c.op} ${c.version}`).join(', ')}`,
          }),
        );
      }
    }
  }
  if (problems.length) throw new UserError(problems);
  return layers;
}
