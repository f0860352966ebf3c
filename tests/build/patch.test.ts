import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePatchFailure, patchMarker } from '../../core/build/patch-failure.js';
import { scratchDirs, strata, writeTree } from '../helpers/strata.js';

// Patches apply in the order the recipe lists them; one that does not apply
// names itself, the line of the recipe that lists it, and the hunk that
// failed with its file and line, read from GNU patch's own output.

const tempDir = scratchDirs(test);
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

const GOOD = ['--- a/f.c', '+++ b/f.c', '@@ -1,3 +1,3 @@', '-line 1', '+LINE ONE', ' line 2', ' line 3', ''].join('\n');
// Hunk 1 applies; hunk 2 expects text that is not there.
const BAD = [
  '--- a/f.c',
  '+++ b/f.c',
  '@@ -4,3 +4,3 @@',
  ' line 4',
  '-line 5',
  '+LINE FIVE',
  ' line 6',
  '@@ -12,3 +12,3 @@',
  ' line 12',
  '-no such line',
  '+replacement',
  ' line 14',
  '',
].join('\n');

function patchProject(): string {
  const dir = tempDir();
  writeTree(dir, {
    'layer/layer.yaml': 'name: patchcheck\npriority: 5\n',
    'layer/recipes/patchy.yaml': [
      'name: patchy',
      'version: "1.0"',
      'license: MIT',
      'sources:',
      '  - url: file://src',
      '  - url: file://0001-good.patch',
      '  - url: file://0002-bad.patch',
      'vars:',
      '  S: ${WORKDIR}/src',
      '',
    ].join('\n'),
    'layer/recipes/files/src/f.c': lines(20),
    'layer/recipes/files/0001-good.patch': GOOD,
    'layer/recipes/files/0002-bad.patch': BAD,
    'strata.yaml': 'layers: [layer]\nmirrors: []\n',
  });
  return dir;
}

test('a patch that does not apply names the patch, its recipe line, and the failed hunk', async () => {
  const dir = patchProject();
  const r = await strata(['build', 'patchy', '--project', dir]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'patch-failed');
  assert.match(r.stderr, 'patchy: patch 0002-bad.patch does not apply');
  assert.match(r.stderr, 'recipes/patchy.yaml:7:');
  assert.match(r.stderr, 'hunk #2 of f.c failed at line 12');
  assert.not.match(r.stderr, 'hunk #1', 'the hunk that applied is not blamed');
  assert.match(r.stderr, join(dir, 'layer/recipes/files/0002-bad.patch'));
  assert.match(r.stderr, 'f.c.rej');
  const work = join(dir, 'build/work/qemuarm64/patchy-1.0');
  assert.match(readFileSync(join(work, 'src/f.c'), 'utf8'), /^LINE ONE\n/, 'the first patch was applied, in order, before the second');
  assert.match(readFileSync(join(work, 'run.patch'), 'utf8'), /0001-good\.patch[\s\S]*0002-bad\.patch/);
});

test("patch's other complaints are read too: a missing file, an applied patch", () => {
  const log = [
    patchMarker(0, 2, 'one.patch'),
    'patching file ok.c',
    patchMarker(1, 2, 'two.patch'),
    "can't find file to patch at input line 3",
    'Perhaps you used the wrong -p or --strip option?',
    '|--- a/nope.c',
    '|+++ b/nope.c',
    'No file to patch.  Skipping patch.',
    'patching file twice.c',
    'Reversed (or previously applied) patch detected!  Skipping patch.',
    '1 out of 1 hunk ignored -- saving rejects to file twice.c.rej',
  ].join('\r\n');
  const f = parsePatchFailure(log);
  assert.is(f?.index, 1);
  assert.is(f?.name, 'two.patch');
  assert.equal(f?.problems, [
    'b/nope.c (named at line 3 of the patch) does not exist; check the path and the -p1 strip level',
    'twice.c already has this change (the patch looks applied, or reversed)',
  ]);
  assert.equal(f?.rejects, ['twice.c.rej']);
});

test.run();
