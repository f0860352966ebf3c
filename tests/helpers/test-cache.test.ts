import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './strata.js';

// The suites share one task cache so a kernel is compiled once (README,
// "Tests"): `cache/` of the checkout, or STRATA_TEST_CACHE. Two board
// tests once read STRATA_BOARDS_CACHE instead, so `STRATA_TEST_CACHE=…
// npm run test:boards` compiled the kernels again into the checkout's
// cache. Every test takes the folder from TEST_CACHE (tests/helpers/strata.ts);
// this reads the test sources for any other way to name it.

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const OTHER_WAYS: readonly [RegExp, string][] = [
  [/process\.env\.STRATA_\w*CACHE/, 'reads a cache variable of its own'],
  [/join\(ROOT, ['"]cache['"]\)/, "names the checkout's cache/ itself"],
];

test('every test source takes the shared task cache from TEST_CACHE', () => {
  const helper = join(ROOT, 'tests/helpers/strata.ts');
  const found: string[] = [];
  // This file names the patterns it looks for.
  const files = sources(join(ROOT, 'tests')).filter((f) => f !== helper && !f.endsWith('/test-cache.test.ts'));
  assert.ok(files.length > 100, `read the test sources (${files.length})`);
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const [re, what] of OTHER_WAYS) if (re.test(line)) found.push(`${relative(ROOT, f)}:${i + 1}: ${what}`);
    });
  }
  assert.equal(found, []);
});

test('the check itself finds both ways, as the two board tests wrote them', () => {
  const old = "cache: ${process.env.STRATA_BOARDS_CACHE ?? join(ROOT, 'cache')}";
  assert.equal(
    OTHER_WAYS.filter(([re]) => re.test(old)).map(([, what]) => what),
    OTHER_WAYS.map(([, what]) => what),
  );
});

test.run();
