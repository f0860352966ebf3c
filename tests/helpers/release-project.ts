import { join } from 'node:path';
import { FIXTURES, writeTree } from './strata.js';

/** The `release` fixture layer: a tiny image that builds in seconds without a cross compiler. */
export const RELEASE_LAYER = join(FIXTURES, 'layers/release');

/** A project folder for the `tiny` machine, offline, sources from the fixture's mirror, no shared cache. */
export function releaseProject(tempDir: (prefix?: string) => string, extraLayers: string[] = []): string {
  const dir = tempDir('strata-release-project-');
  writeTree(dir, {
    'strata.yaml': [
      'layers:',
      ...[RELEASE_LAYER, ...extraLayers].map((l) => `  - ${l}`),
      'machine: tiny',
      'distro: tinydistro',
      `mirrors: [${join(RELEASE_LAYER, 'mirror')}]`,
      'offline: true',
      'cache: false',
      '',
    ].join('\n'),
  });
  return dir;
}
