import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// A recipe builds against a sysroot made only of what its declared
// dependencies installed: using a header of a recipe it does not depend on
// fails, even when that recipe was built just before in the same build.

const tempDir = scratchDirs(test);
const recipe = (name: string, extra: string) => `name: ${name}\nversion: "1"\n${extra}`;
const LIB = recipe('libgreet', 'tasks:\n  install: mkdir -p $D/usr/include && echo "#define GREETING 1" > $D/usr/include/greet.h\n');
const USES_HEADER = 'tasks:\n  compile: test -f "$SYSROOT/usr/include/greet.h" || { echo "greet.h is not in the sysroot"; exit 1; }\n';

test('an undeclared dependency is not in the sysroot; declaring it makes the build pass', async () => {
  const undeclared = layerSet(tempDir, {
    core: { 'recipes/libgreet.yaml': LIB, 'recipes/app.yaml': recipe('app', USES_HEADER), 'recipes/both.yaml': recipe('both', 'depends: [libgreet, app]\n') },
  });
  const r = await strata(['build', 'both', '-j', '1'], { cwd: undeclared.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'app:compile failed');
  assert.match(r.stderr, 'greet.h is not in the sysroot');

  const declared = layerSet(tempDir, { core: { 'recipes/libgreet.yaml': LIB, 'recipes/app.yaml': recipe('app', 'depends: [libgreet]\n' + USES_HEADER) } });
  const ok = await strata(['build', 'app'], { cwd: declared.dir });
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
});

test.run();
