import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// `strata build --shuffle[=SEED]` for real: the seed is printed, the same
// seed starts the same tasks in the same order (-j 1), a bare --shuffle
// does not swallow the target, and a bad seed is a usage error.

const tempDir = scratchDirs(test);
const layers = {
  core: {
    'recipes/one.yaml': 'name: one\nversion: "1"\n',
    'recipes/two.yaml': 'name: two\nversion: "1"\n',
    'recipes/top.yaml': 'name: top\nversion: "1"\ndepends: [one, two]\n',
  },
};

const startOrder = async (args: string[]) => {
  const s = layerSet(tempDir, layers);
  const events = join(s.dir, 'events.jsonl');
  const r = await strata(['build', 'top', '-j', '1', '--json', events, ...args], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const started = readFileSync(events, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.state === 'running')
    .map((e) => e.task as string);
  return { stdout: r.stdout, started };
};

test('the same seed starts the same tasks in the same order, and says how to replay it', async () => {
  const a = await startOrder(['--shuffle=7']);
  const b = await startOrder(['--shuffle=7']);
  assert.match(a.stdout, 'order drawn from seed 7 (again: --shuffle=7)');
  assert.is(a.started.length, 24);
  assert.equal(a.started, b.started);
});

test('a bare --shuffle picks a seed and prints it; the target after it is still the target', async () => {
  const r = await startOrder(['--shuffle']);
  assert.match(r.stdout, /order drawn from seed \d+ \(again: --shuffle=\d+\)/);
  const s = layerSet(tempDir, layers);
  const before = await strata(['build', '--shuffle', 'one'], { cwd: s.dir });
  assert.is(before.code, 0, before.stdout + before.stderr);
  assert.match(before.stdout, /^one: 8 tasks: 8 run/m);
});

test('a seed that is not a whole number is a usage error before anything is fetched', async () => {
  const s = layerSet(tempDir, layers);
  for (const bad of ['--shuffle=abc', '--shuffle=-1', '--shuffle=4294967296']) {
    const r = await strata(['build', 'top', bad], { cwd: s.dir });
    assert.is(r.code, 2, bad);
    assert.match(r.stderr, '--shuffle takes a whole number', bad);
    assert.not.match(r.stdout, 'fetch phase');
  }
});

test.run();
