import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { Configuration } from '../../core/resolve/configuration.js';
import { diagOf } from '../helpers/diagnostics.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs } from '../helpers/strata.js';

// Shared YAML fragments: `include:` in recipes and configs, looked up beside
// the file, then in every layer's include/ folder; the including file's own
// keys come after the fragment's.

const tempDir = scratchDirs(test);

test('a recipe includes a fragment from another layer: lists join, maps join, its own vars win, history shows both', () => {
  const s = layerSet(tempDir, {
    core: {
      'recipes/app.yaml': 'include: [common-flags]\nname: app\nversion: "1"\ndepends: [zlib]\nvars:\n  CFLAGS: -O2\n  OWN: yes\n',
      'recipes/zlib.yaml': 'name: zlib\nversion: "1"\n',
      'recipes/tool.yaml': 'name: tool\nversion: "1"\n',
    },
    shared: { 'include/common-flags.yaml': 'depends: [tool]\nvars:\n  CFLAGS: -Os\n  CFLAGS:append: " -g"\n  LICENSE_DIR: /usr/share/licenses\n' },
  });
  const app = new Configuration(s.project()).recipe('app');
  assert.equal([...app.depends].sort(), ['tool', 'zlib']);
  assert.is(app.data.get('CFLAGS'), '-O2 -g');
  assert.is(app.data.get('LICENSE_DIR'), '/usr/share/licenses');
  const fragment = join(s.layer('shared'), 'include/common-flags.yaml');
  assert.equal(
    app.data.history('CFLAGS').map((h) => [h.assignment.loc.file, h.assignment.loc.line, h.effect]),
    [
      [fragment, 3, 'overridden'],
      [fragment, 4, 'applied'],
      [join(s.layer('core'), 'recipes/app.yaml'), 6, 'final'],
    ],
  );
});

test('a fragment beside the file is found first; fragments may include fragments; machines include too', () => {
  const s = layerSet(tempDir, {
    core: {
      'recipes/app/app.yaml': 'include: [local]\nname: app\nversion: "1"\n',
      'recipes/app/local.inc.yaml': 'include: [deeper]\nvars:\n  WHERE: beside\n',
      'include/local.yaml': 'vars:\n  WHERE: layer include folder\n',
      'include/deeper.yaml': 'vars:\n  DEEP: "yes"\n',
      'include/arm64-board.yaml': 'arch: aarch64\nvars:\n  TUNE: cortex-a53\n',
      'machines/board.yaml': 'include: [arm64-board]\nvars:\n  TUNE:append: "+crypto"\n',
    },
  });
  const cfg = new Configuration(s.project());
  const app = cfg.recipe('app');
  assert.is(app.data.get('WHERE'), 'beside');
  assert.is(app.data.get('DEEP'), 'yes');
  assert.is(cfg.machine.arch, 'aarch64');
  assert.is(app.data.get('TUNE'), 'cortex-a53+crypto');
});

test('a missing include names every place it looked', () => {
  const s = layerSet(tempDir, { core: { 'recipes/app.yaml': 'name: app\nversion: "1"\ninclude:\n  - no-such-fragment\n' }, other: {} });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'include-missing');
  assert.equal(d.location, { file: join(s.layer('core'), 'recipes/app.yaml'), line: 4, column: 5 });
  assert.match(d.hint ?? '', join(s.layer('core'), 'recipes/no-such-fragment.inc.yaml'));
  assert.match(d.hint ?? '', join(s.layer('core'), 'include/no-such-fragment.yaml'));
  assert.match(d.hint ?? '', join(s.layer('other'), 'include/no-such-fragment.yaml'));
});

test('an include cycle is an error naming the chain', () => {
  const s = layerSet(tempDir, {
    core: { 'recipes/app.yaml': 'include: [a]\nname: app\nversion: "1"\n', 'include/a.yaml': 'include: [b]\n', 'include/b.yaml': 'include: [a]\n' },
  });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'include-cycle');
  assert.match(
    d.message,
    `${join(s.layer('core'), 'include/a.yaml')} -> ${join(s.layer('core'), 'include/b.yaml')} -> ${join(s.layer('core'), 'include/a.yaml')}`,
  );
});

test('a value of another shape than the included one is an error at both places', () => {
  const s = layerSet(tempDir, {
    core: { 'recipes/app.yaml': 'include: [f]\nname: app\nversion: "1"\ndepends: zlib\n', 'include/f.yaml': 'depends: [tool]\n' },
  });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'include-conflict');
  assert.is(d.location?.line, 4);
  assert.is(d.related?.[0].location?.file, join(s.layer('core'), 'include/f.yaml'));
});

test('editing an included file changes the result in the next load (nothing is cached across runs)', async () => {
  const { writeFileSync } = await import('node:fs');
  const s = layerSet(tempDir, { core: { 'recipes/app.yaml': 'include: [f]\nname: app\nversion: "1"\n', 'include/f.yaml': 'vars:\n  V: one\n' } });
  assert.is(new Configuration(s.project()).recipe('app').data.get('V'), 'one');
  writeFileSync(join(s.layer('core'), 'include/f.yaml'), 'vars:\n  V: two\n');
  assert.is(new Configuration(s.project()).recipe('app').data.get('V'), 'two');
});

test.run();
