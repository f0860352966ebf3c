import { join } from 'node:path';
import { writeTree } from './strata.js';

// A project whose one layer holds recipes written by the test, for fetch
// tests that need a source's URL or sum only known at run time.

export interface SourceLine {
  readonly url: string;
  readonly sha256?: string;
}

/** Writes into `dir` (a scratch folder) strata.yaml (plus `extra` lines) and a layer with one recipe per entry of `recipes`. */
export function fetchProject(dir: string, recipes: Record<string, SourceLine[]>, extra: string[] = []): string {
  const files: Record<string, string> = {
    'strata.yaml': ['layers: [layer]', 'mirrors: []', ...extra, ''].join('\n'),
    'layer/layer.yaml': 'name: fetchtest\npriority: 5\n',
  };
  for (const [name, sources] of Object.entries(recipes)) {
    files[`layer/recipes/${name}.yaml`] = [
      `name: ${name}`,
      'version: "1.0"',
      'license: MIT',
      'sources:',
      ...sources.flatMap((s) => [`  - url: ${s.url}`, ...(s.sha256 ? [`    sha256: ${s.sha256}`] : [])]),
      '',
    ].join('\n');
  }
  writeTree(dir, files);
  return dir;
}

export const downloadsOf = (project: string): string => join(project, 'downloads');
