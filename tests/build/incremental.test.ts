import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// Rebuild exactly what changed. Three recipes: liba (compile writes its
// MSG into a file it installs), app (depends on liba, installs its own
// file) and tool (independent). The build's plain progress lines say which
// tasks ran ("done <recipe>:<task>").

const tempDir = scratchDirs(test);
const LIBA = (msg: string, unused = 'nobody reads this') =>
  `name: liba\nversion: "1"\nvars:\n  MSG: ${msg}\n  UNUSED: ${unused}\ntasks:\n  compile: |\n    echo "\${MSG}" > liba.txt\n  install: |\n    mkdir -p $D/usr/share\n    cp liba.txt $D/usr/share/liba.txt\n`;
const s = layerSet(tempDir, {
  core: {
    'recipes/liba.yaml': LIBA('hello'),
    'recipes/app.yaml': 'name: app\nversion: "1"\ndepends: [liba]\ntasks:\n  install: mkdir -p $D/usr/bin && echo app > $D/usr/bin/app\n',
    'recipes/tool.yaml': 'name: tool\nversion: "1"\ntasks:\n  install: mkdir -p $D/usr/bin && echo tool > $D/usr/bin/tool\n',
    'recipes/all.yaml': 'name: all\nversion: "1"\ndepends: [app, tool]\n',
  },
});
const recipeFile = join(s.layer('core'), 'recipes/liba.yaml');

async function build(): Promise<string[]> {
  const r = await strata(['build', 'all', '--set', 'UNRELATED_CLI=x'], { cwd: s.dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  return [...r.stdout.matchAll(/^done {4}(\S+)/gm)].map((m) => m[1]).sort();
}

test('first build runs everything; a rebuild runs nothing', async () => {
  assert.is((await build()).length, 4 * 8);
  assert.equal(await build(), []);
});

test('an unrelated variable changes nothing', async () => {
  writeFileSync(recipeFile, LIBA('hello', 'changed, still unused'));
  const ran = await build();
  assert.equal(ran, [], ran.join(' '));
});

test('a variable one task uses re-runs that task and what its output reaches, nothing else; strata why says so first', async () => {
  writeFileSync(recipeFile, LIBA('hello again'));
  const why = await strata(['why', 'liba'], { cwd: s.dir });
  assert.is(why.code, 0, why.stderr);
  assert.match(why.stdout, 'liba:configure: up to date');
  assert.match(why.stdout, `liba:compile must run again:\n  variable MSG changed: "hello" → "hello again" (set at ${recipeFile}:4:3)`);
  assert.match(why.stdout, 'liba:install must run again:\n  dependency liba:compile changed');
  const downstream = await strata(['why', 'app:configure'], { cwd: s.dir });
  assert.match(downstream.stdout, 'app:configure must run again:\n  waits for app:prepare_sysroot, which must run again\n  because liba:compile: variable MSG changed');
  const ran = await build();
  // liba's install output reaches the sysroots of app and of all (which
  // holds its dependencies' dependencies too); app and all then install the
  // same bytes as before, but their package tasks run again all the same:
  // they read liba's package data (which library provides what), and that
  // changed. tool is untouched.
  const sysrootUsers = ['prepare_sysroot', 'configure', 'compile', 'install', 'package'];
  assert.equal(ran, [...sysrootUsers.map((t) => `all:${t}`), ...sysrootUsers.map((t) => `app:${t}`), 'liba:compile', 'liba:install', 'liba:package'].sort());
  assert.is(readFileSync(join(s.dir, 'build/work/board/liba-1/image/usr/share/liba.txt'), 'utf8'), 'hello again\n');
});

test('a script change that makes the same output stops at the task whose output is unchanged', async () => {
  writeFileSync(recipeFile, LIBA('hello again').replace('echo "${MSG}"', '# a comment changes the script, not the output\n    echo "${MSG}"'));
  assert.equal(await build(), ['liba:compile', 'liba:install']);
});

test.run();
