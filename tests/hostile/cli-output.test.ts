import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { CLI, scratchDirs, strata } from '../helpers/strata.js';

// What Strata prints must survive a reader that goes away (`| head`) and
// must never pass a file's escape sequences to the terminal (issue 9).

const tempDir = scratchDirs(test);

test('output into a pipe that is closed early ends quietly, without a stack trace', () => {
  const s = layerSet(tempDir, { core: { 'recipes/a.yaml': 'name: a\nversion: "1"\nlicense: MIT\n' } });
  // The reader closes its end at once, so every write meets EPIPE.
  const r = spawnSync('sh', ['-c', `node ${CLI} env -r a 2>err.txt | (exec 0<&-; sleep 0.2); cat err.txt`], { cwd: s.dir, encoding: 'utf8' });
  assert.not.match(r.stdout + r.stderr, 'EPIPE');
  assert.not.match(r.stdout + r.stderr, 'internal error');
});

test('binary garbage and escape sequences in a YAML file are shown escaped', async () => {
  const s = layerSet(tempDir, { core: { 'recipes/x.yaml': 'name: x\nversion: "1"\n\x1b]0;owned\x07\x1b[31mred: \x9b\u202eevil\n' } });
  const r = await strata(['recipes'], { cwd: s.dir });
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.not.match(r.stderr, '\x1b');
  assert.not.match(r.stderr, '\x07');
  assert.not.match(r.stderr, '\u202e');
  assert.match(r.stderr, '\\x1b]0;owned\\x07\\x1b[31mred');
  assert.match(r.stderr, join(s.layer('core'), 'recipes/x.yaml'));
});

test.run();
