import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/strata.js';

// Imports go one way: cli → session → stages → base. No stage imports the
// session or a command, and the session imports no command
// (docs/architecture.md, "How a command runs"). Type-only imports count too:
// they are still a dependency a reader has to follow upward.

const CORE = join(ROOT, 'core');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The core/ folder each relative import of a file lands in. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => relative(CORE, resolve(dirname(file), m[1])).split('/')[0]);
}

const RANK: Record<string, number> = { cli: 2, session: 1 };

test('no file imports from a layer above its own', () => {
  const upward: string[] = [];
  for (const file of sources(CORE)) {
    const own = RANK[relative(CORE, file).split('/')[0]] ?? 0;
    for (const folder of importedFolders(file)) if ((RANK[folder] ?? 0) > own) upward.push(`${relative(ROOT, file)} imports core/${folder}`);
  }
  assert.equal(upward, []);
});

test('the check sees imports: the CLI does import the session', () => {
  assert.ok(importedFolders(join(CORE, 'cli/options.ts')).includes('session'));
});

test.run();
