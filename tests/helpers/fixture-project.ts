import { join } from 'node:path';
import { FIXTURES, writeTree } from './strata.js';

/** A project folder (made with the suite's `scratchDirs`) using the `checks` fixture layer, with `${TEST_SERVER}` set. */
export function checksProject(tempDir: () => string, server: string, extra: { mirrors?: string[]; offline?: boolean } = {}): string {
  const dir = tempDir();
  writeTree(dir, {
    'strata.yaml': [
      'layers:',
      `  - ${join(FIXTURES, 'layers/checks')}`,
      `mirrors: [${(extra.mirrors ?? []).join(', ')}]`,
      `offline: ${extra.offline ? 'true' : 'false'}`,
      'vars:',
      `  TEST_SERVER: ${server}`,
      '',
    ].join('\n'),
  });
  return dir;
}
