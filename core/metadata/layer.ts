import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { diag, UserError } from '../diagnostics/diagnostic.js';
import { parseYamlFile } from './yaml.js';
import { asNumber, asString, asStringList, get, readMap } from './schema.js';

// A layer is a folder with a layer.yaml: its name, its priority (higher wins
// when layers disagree), the layers it needs, and the series it works with.

export interface Layer {
  readonly name: string;
  readonly dir: string;
  readonly file: string;
  readonly priority: number;
  readonly depends: readonly string[];
  readonly series: readonly string[];
}

const LAYER_KEYS = ['name', 'priority', 'depends', 'series', 'summary'] as const;

export function loadLayer(dir: string): Layer {
  const file = resolve(dir, 'layer.yaml');
  if (!existsSync(file)) {
    throw new UserError(diag('layer-missing', `${resolve(dir)} is not a layer: it has no layer.yaml`, { file: resolve(dir), line: 0, column: 0 }, { hint: 'check the layers list of strata.yaml' }));
  }
  const m = readMap(parseYamlFile(file), LAYER_KEYS, 'layer.yaml', ['name']);
  const priority = get(m, 'priority');
  const depends = get(m, 'depends');
  const series = get(m, 'series');
  return {
    name: asString(get(m, 'name')!, 'layer name'),
    dir: dirname(file),
    file,
    priority: priority ? asNumber(priority, 'layer priority') : 5,
    depends: depends ? asStringList(depends, 'layer depends') : [],
    series: series ? asStringList(series, 'layer series') : [],
  };
}

/** Loads the layers in order and checks that each one's dependencies are present. */
export function loadLayers(dirs: readonly string[]): Layer[] {
  const layers = dirs.map(loadLayer);
  const byName = new Map<string, Layer>();
  for (const l of layers) {
    const other = byName.get(l.name);
    if (other) {
      throw new UserError(diag('layer-duplicate', `two layers are named '${l.name}'`, { file: l.file, line: 1, column: 1 }, { related: [{ message: 'the other one', location: { file: other.file, line: 1, column: 1 } }] }));
    }
    byName.set(l.name, l);
  }
  for (const l of layers) {
    for (const d of l.depends) {
      if (!byName.has(d)) {
        throw new UserError(diag('layer-dependency', `layer '${l.name}' depends on layer '${d}', which is not in the project`, { file: l.file, line: 0, column: 0 }, { hint: `add the folder of layer '${d}' to the layers list of strata.yaml` }));
      }
    }
  }
  return layers;
}
