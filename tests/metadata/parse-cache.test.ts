import { chmodSync, existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../core/diagnostics/diagnostic.js';
import { activeParseCache, withParseCache } from '../../core/metadata/parse-cache.js';
import { parseYamlFile, type LValue } from '../../core/metadata/yaml.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// The parse cache (BitBake's bb_cache, for Strata's YAML): a file parsed
// once is not parsed again while it is unchanged, and any change to it (even
// one that keeps its size and puts its modification time back) is seen.

const tempDir = scratchDirs(test);

const valueOf = (tree: LValue, key: string): unknown => {
  const e = tree.kind === 'map' ? tree.entries.find((x) => x.key === key) : undefined;
  return e?.value.kind === 'scalar' ? e.value.value : undefined;
};

/** Parses `file` under the cache at `cacheFile`, and says whether the cache answered (its tree is the very object stored). */
function parseThrough(cacheFile: string, file: string): { tree: LValue; cached: boolean } {
  return withParseCache(cacheFile, () => {
    const stats = statSync(file, { bigint: true });
    const before = activeParseCache()!.get(file, stats);
    const tree = parseYamlFile(file);
    return { tree, cached: before !== undefined && before === tree };
  });
}

test('an unchanged file comes from the cache; a change of content, size kept and mtime put back, is parsed again', () => {
  const dir = tempDir();
  const file = join(dir, 'r.yaml');
  const cache = join(dir, 'build/.parse-cache');
  writeTree(dir, { 'r.yaml': 'name: r\nversion: "1"\n' });
  const first = parseThrough(cache, file);
  assert.is(first.cached, false);
  assert.ok(existsSync(cache), 'the cache was written, its folder made');
  const second = parseThrough(cache, file);
  assert.is(second.cached, true);
  assert.equal(second.tree, first.tree);
  const { atime, mtime } = statSync(file);
  writeFileSync(file, 'name: r\nversion: "2"\n');
  utimesSync(file, atime, mtime);
  const third = parseThrough(cache, file);
  assert.is(third.cached, false);
  assert.is(valueOf(third.tree, 'version'), '2');
});

test('a corrupt cache file is an empty cache, and is replaced', () => {
  const dir = tempDir();
  const file = join(dir, 'r.yaml');
  const cache = join(dir, '.parse-cache');
  writeTree(dir, { 'r.yaml': 'name: r\n', '.parse-cache': 'not a v8 serialization \u0000\u00ff' });
  assert.is(parseThrough(cache, file).cached, false);
  assert.is(parseThrough(cache, file).cached, true);
});

test('a file with an error is not kept, and an unwritable folder only loses the shortcut', () => {
  const dir = tempDir();
  writeTree(dir, { 'bad.yaml': 'a: [1\n', 'ok.yaml': 'a: 1\n', 'ro/.keep': '' });
  const cache = join(dir, 'c');
  const atBad = (e: unknown) => e instanceof UserError && e.diagnostics[0].location?.file === join(dir, 'bad.yaml');
  assert.throws(() => withParseCache(cache, () => parseYamlFile(join(dir, 'bad.yaml'))), atBad);
  assert.throws(() => withParseCache(cache, () => parseYamlFile(join(dir, 'bad.yaml'))), atBad, 'still an error the second time');
  assert.not.ok(existsSync(cache), 'nothing to keep');
  const ro = join(dir, 'ro');
  chmodSync(ro, 0o555);
  try {
    // Root ignores folder modes; the call must succeed either way and leave no temporary behind.
    assert.is(
      valueOf(
        withParseCache(join(ro, 'c'), () => parseYamlFile(join(dir, 'ok.yaml'))),
        'a',
      ),
      1,
    );
    assert.equal(
      readdirSync(ro).filter((f) => f.includes('.part-')),
      [],
    );
  } finally {
    chmodSync(ro, 0o755);
  }
});

test('strata env sees an edited recipe at once (the cache is in the build folder)', async () => {
  const dir = tempDir();
  writeTree(dir, {
    'strata.yaml': 'layers: [l]\n',
    'l/layer.yaml': 'name: l\n',
    'l/recipes/r.yaml': 'name: r\nversion: "1"\nlicense: MIT\nvars:\n  GREETING: hello\n',
  });
  const a = await strata(['env', '-r', 'r', 'GREETING'], { cwd: dir });
  assert.is(a.code, 0, a.stderr);
  assert.match(a.stdout, 'hello');
  assert.ok(existsSync(join(dir, 'build/.parse-cache')));
  const file = join(dir, 'l/recipes/r.yaml');
  const { atime, mtime } = statSync(file);
  writeFileSync(file, 'name: r\nversion: "1"\nlicense: MIT\nvars:\n  GREETING: howdy\n');
  utimesSync(file, atime, mtime);
  const b = await strata(['env', '-r', 'r', 'GREETING'], { cwd: dir });
  assert.is(b.code, 0, b.stderr);
  assert.match(b.stdout, 'howdy');
});

test.run();
