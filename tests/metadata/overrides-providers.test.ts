import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { Configuration } from '../../core/resolve/configuration.js';
import { planBuild } from '../../core/graph/plan.js';
import { diagOf } from '../helpers/diagnostics.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs } from '../helpers/strata.js';

// Override names are checked against the names this project can activate;
// providers are chosen by machine or distro, and failures name the chain.

const tempDir = scratchDirs(test);
const recipe = (name: string, extra = '') => `name: ${name}\nversion: "1"\n${extra}`;

test('a misspelt operator reads as an override nobody can activate: an error suggesting the operator', () => {
  const s = layerSet(tempDir, { core: { 'recipes/app.yaml': recipe('app', 'vars:\n  CFLAGS: -O2\n  CFLAGS:apend: " -g"\n') } });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'var-override-unknown');
  assert.match(d.message, "in 'CFLAGS:apend', 'apend' is not an override name");
  assert.equal(d.location, { file: join(s.layer('core'), 'recipes/app.yaml'), line: 5, column: 3 });
  assert.match(d.hint ?? '', "did you mean the operator ':append'?");
});

test('a misspelt machine name in an override gets the close name', () => {
  const s = layerSet(tempDir, { core: { 'recipes/app.yaml': recipe('app', 'vars:\n  X:append:bord: y\n') } });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'var-override-unknown');
  assert.match(d.hint ?? '', "did you mean 'board'?");
});

test('known override names: machines and distros not in use, arches, libcs, images, pn-<recipe>, layer-declared names', () => {
  const s = layerSet(tempDir, {
    core: {
      'layer.yaml': 'name: core\noverrides: [customfeature]\n',
      'machines/other.yaml': 'arch: riscv64\noverrides: [otherfamily]\n',
      'distros/fat.yaml': 'version: "1"\nlibc: glibc\n',
      'images/tiny.yaml': 'install: [app]\n',
      'recipes/app.yaml': recipe(
        'app',
        'vars:\n  A:other: 1\n  A:otherfamily: 2\n  A:x86_64: 3\n  A:glibc: 4\n  A:tiny: 5\n  A:pn-app: 6\n  A:customfeature: 7\n  A:fat: 8\n  A:boardfamily: 9\n',
      ),
    },
  });
  const app = new Configuration(s.project()).recipe('app');
  assert.is(app.data.get('A'), '6', 'pn-app is the only active one here');
});

test('the distro and project files are checked too', () => {
  const s = layerSet(tempDir, { core: {} }, 'vars:\n  GREETING:qemuarm46: hi\n');
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'var-override-unknown');
  assert.is(d.location?.file, join(s.dir, 'strata.yaml'));
});

test('an image file is checked when it is used', async () => {
  const s = layerSet(tempDir, { core: { 'recipes/app.yaml': recipe('app'), 'images/img.yaml': 'install: [app]\nvars:\n  MOTD:bord: hi\n' } });
  const d = diagOf(() => planBuild(new Configuration(s.project()), 'img'));
  assert.is(d.code, 'var-override-unknown');
  assert.equal(d.location, { file: join(s.layer('core'), 'images/img.yaml'), line: 3, column: 3 });
});

test('nothing provides: the message names who asked and through which chain, the location is the depends entry', () => {
  const s = layerSet(tempDir, {
    core: {
      'images/img.yaml': 'install: [app]\n',
      'recipes/app.yaml': recipe('app', 'depends: [libfoo]\n'),
      'recipes/libfoo.yaml': recipe('libfoo', 'depends:\n  - virtual/libbar\n'),
      'recipes/kernel.yaml': recipe('kernel', 'provides: [virtual/kernel]\n'),
      'recipes/libbaz.yaml': recipe('libbaz', 'provides: [virtual/libbaz]\n'),
    },
  });
  const d = diagOf(() => planBuild(new Configuration(s.project()), 'img'));
  assert.is(d.code, 'provider-missing');
  assert.match(d.message, "nothing provides 'virtual/libbar' (needed by libfoo, through image img -> app -> libfoo -> virtual/libbar)");
  assert.equal(d.location, { file: join(s.layer('core'), 'recipes/libfoo.yaml'), line: 4, column: 5 });
  assert.match(d.hint ?? '', "did you mean 'virtual/libbaz'?");
});

test('two providers and no choice: an error listing both; a machine choice settles it', () => {
  const layers = {
    core: {
      'recipes/app.yaml': recipe('app', 'depends: [virtual/ssl]\n'),
      'recipes/openssl.yaml': recipe('openssl', 'provides: [virtual/ssl]\n'),
      'recipes/wolfssl.yaml': recipe('wolfssl', 'provides: [virtual/ssl]\n'),
    },
  };
  const s = layerSet(tempDir, layers);
  const d = diagOf(() => planBuild(new Configuration(s.project()), 'app'));
  assert.is(d.code, 'provider-ambiguous');
  assert.match(d.message, "several recipes provide 'virtual/ssl' (needed by app): openssl, wolfssl");
  assert.equal(
    d.related?.map((r) => r.location?.file),
    [join(s.layer('core'), 'recipes/openssl.yaml'), join(s.layer('core'), 'recipes/wolfssl.yaml')],
  );
  const chosen = layerSet(tempDir, { core: { ...layers.core, 'machines/board.yaml': 'arch: aarch64\nproviders:\n  virtual/ssl: wolfssl\n' } });
  const plan = planBuild(new Configuration(chosen.project()), 'app');
  assert.equal(
    plan.recipes.map((r) => r.name),
    ['app', 'wolfssl'],
  );
});

test('a depends cycle names its path, each link at its depends line', () => {
  const s = layerSet(tempDir, {
    core: {
      'recipes/a.yaml': recipe('a', 'depends: [b]\n'),
      'recipes/b.yaml': recipe('b', 'depends:\n  - virtual/a\n'),
      'recipes/a2.yaml': 'name: a2\nversion: "1"\n',
    },
  });
  const withVirtual = layerSet(tempDir, {
    core: { 'recipes/a.yaml': recipe('a', 'provides: [virtual/a]\ndepends: [b]\n'), 'recipes/b.yaml': recipe('b', 'depends:\n  - virtual/a\n') },
  });
  assert.ok(s);
  const d = diagOf(() => planBuild(new Configuration(withVirtual.project()), 'a'));
  assert.is(d.code, 'graph-cycle');
  assert.match(d.message, 'dependency cycle: a -> b -> a');
  assert.equal(
    d.related?.map((r) => [r.message, r.location?.line]),
    [
      ['a depends on b', 4],
      ['b depends on a', 4],
    ],
  );
});

test.run();
