import { join } from 'node:path';
import { loadProject, type Project } from '../../core/config/project.js';
import { writeTree } from './strata.js';

// A throw-away project with several layers written from text, for tests of
// layer, include, override and provider semantics. Each layer gets a
// layer.yaml (given, or a plain one), and the first layer also gets a
// machine `board` and a distro `testdistro` unless the test writes its own.

export interface LayerSet {
  readonly dir: string;
  readonly layer: (name: string) => string;
  readonly project: () => Project;
}

export const BOARD = 'arch: aarch64\noverrides: [boardfamily]\n';
export const TESTDISTRO = 'version: "1"\nlibc: musl\n';

export function layerSet(tempDir: (prefix?: string) => string, layers: Record<string, Record<string, string>>, strataYaml = ''): LayerSet {
  const dir = tempDir('strata-layerset-');
  const names = Object.keys(layers);
  names.forEach((name, i) => {
    const files = layers[name];
    const defaults: Record<string, string> = { 'layer.yaml': `name: ${name}\n` };
    if (i === 0) Object.assign(defaults, { 'machines/board.yaml': BOARD, 'distros/testdistro.yaml': TESTDISTRO });
    writeTree(join(dir, name), { ...defaults, ...files });
  });
  const listed = `layers:\n${names.map((n) => `  - ${n}\n`).join('')}`;
  const head = /^machine:/m.test(strataYaml) ? '' : 'machine: board\n';
  const distro = /^distro:/m.test(strataYaml) ? '' : 'distro: testdistro\n';
  writeTree(dir, { 'strata.yaml': listed + head + distro + strataYaml });
  return { dir, layer: (n) => join(dir, n), project: () => loadProject(dir) };
}
