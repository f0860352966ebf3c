import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { UserError } from '../../core/diagnostics/diagnostic.js';
import { Configuration } from '../../core/resolve/configuration.js';
import { compareVersions } from '../../core/model/version.js';
import { STRATA_SERIES } from '../../core/metadata/series.js';
import { diagOf } from '../helpers/diagnostics.js';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs } from '../helpers/strata.js';

// Layers as a set (depends with versions, series, masks) and the choice of
// a recipe's version (highest by the documented ordering, or preferred).

const tempDir = scratchDirs(test);
const recipe = (name: string, version: string, extra = '') => `name: ${name}\nversion: "${version}"\n${extra}`;

test('layer depends: a satisfied version constraint loads; an unsatisfied one names both layer files', () => {
  const ok = layerSet(tempDir, { core: { 'layer.yaml': 'name: core\nversion: 1.4\n' }, bsp: { 'layer.yaml': 'name: bsp\ndepends:\n  - core >= 1.2, < 2\n' } });
  assert.equal(
    new Configuration(ok.project()).catalog.layers.map((l) => l.name),
    ['core', 'bsp'],
  );

  const bad = layerSet(tempDir, { core: { 'layer.yaml': 'name: core\nversion: 2.1\n' }, bsp: { 'layer.yaml': 'name: bsp\ndepends:\n  - core >= 1.2, < 2\n' } });
  const d = diagOf(() => new Configuration(bad.project()));
  assert.is(d.code, 'layer-dependency-version');
  assert.match(d.message, "layer 'bsp' needs 'core >= 1.2, < 2', but layer 'core' is version 2.1");
  assert.equal(d.location, { file: join(bad.layer('bsp'), 'layer.yaml'), line: 3, column: 5 });
  assert.is(d.related?.[0].location?.file, join(bad.layer('core'), 'layer.yaml'));
  assert.match(d.hint ?? '', '< 2');
});

test('layer depends: a missing layer points at the depends entry and at the layers list of strata.yaml', () => {
  const s = layerSet(tempDir, { bsp: { 'layer.yaml': 'name: bsp\ndepends: [core]\n' } });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'layer-dependency');
  assert.equal(d.location, { file: join(s.layer('bsp'), 'layer.yaml'), line: 2, column: 11 });
  assert.equal(d.related?.[0].location, { file: join(s.dir, 'strata.yaml'), line: 1, column: 1 });
});

test('layer depends: a malformed constraint is an error at the entry', () => {
  const s = layerSet(tempDir, { bsp: { 'layer.yaml': 'name: bsp\ndepends: ["core ~> 1"]\n' } });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'layer-depends-syntax');
  assert.is(d.location?.line, 2);
});

test('series: a layer for another Strata series is refused; this series or none is accepted', () => {
  const s = layerSet(tempDir, { old: { 'layer.yaml': 'name: old\nseries: [2019, 2020]\n' } });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'layer-series');
  assert.match(d.message, `works with Strata series 2019, 2020, but this Strata is series ${STRATA_SERIES}`);
  assert.equal(d.location, { file: join(s.layer('old'), 'layer.yaml'), line: 2, column: 1 });
  const ok = layerSet(tempDir, { now: { 'layer.yaml': `name: now\nseries: [2019, ${STRATA_SERIES}]\n` } });
  new Configuration(ok.project());
});

test('all layer problems are reported together', () => {
  const s = layerSet(tempDir, { a: { 'layer.yaml': 'name: a\nseries: [1999]\ndepends: [nope]\n' } });
  try {
    new Configuration(s.project());
    assert.unreachable('should fail');
  } catch (e) {
    assert.instance(e, UserError);
    assert.equal(
      (e as UserError).diagnostics.map((x) => x.code),
      ['layer-series', 'layer-dependency'],
    );
  }
});

test('masks in layer.yaml or strata.yaml hide recipe and append files of any layer', () => {
  const s = layerSet(
    tempDir,
    {
      core: {
        'recipes/busybox/busybox-1.35.yaml': recipe('busybox', '1.35.0'),
        'recipes/busybox/busybox-1.36.yaml': recipe('busybox', '1.36.1'),
        'recipes/old/old.yaml': recipe('old', '1'),
      },
      product: {
        'layer.yaml': 'name: product\npriority: 10\nmasks:\n  - core/recipes/busybox/busybox-1.36.yaml\n',
        'recipes/busybox.append.yaml': 'append: busybox\nversion: 1.36.%\n',
      },
    },
    'masks:\n  - "*/recipes/old/**"\n  - product/recipes/busybox.append.yaml\n',
  );
  const cfg = new Configuration(s.project());
  assert.is(cfg.recipe('busybox').version, '1.35.0', 'the masked 1.36.1 is gone');
  assert.not.ok(cfg.catalog.recipes.has('old'));
  assert.equal(cfg.catalog.masked.map((f) => f.slice(s.dir.length + 1)).sort(), [
    'core/recipes/busybox/busybox-1.36.yaml',
    'core/recipes/old/old.yaml',
    'product/recipes/busybox.append.yaml',
  ]);
});

test('a mask must start with a layer name', () => {
  const s = layerSet(tempDir, { core: { 'layer.yaml': 'name: core\nmasks: ["busybox.yaml"]\n' } });
  const d = diagOf(() => new Configuration(s.project()));
  assert.is(d.code, 'layer-mask');
  assert.is(d.location?.line, 2);
});

test('version ordering: numbers compare as numbers, ~ sorts first, longer is higher', () => {
  const sorted = ['1.10', '1.9', '1.2.3', '1.2', '1.0~rc1', '1.0', '1.0a', '2'].sort(compareVersions);
  assert.equal(sorted, ['1.0~rc1', '1.0', '1.0a', '1.2', '1.2.3', '1.9', '1.10', '2']);
});

test('preferred versions: highest by default, the distro can prefer one, the project beats the distro', () => {
  const layers = {
    core: {
      'recipes/tool/tool-1.9.yaml': recipe('tool', '1.9'),
      'recipes/tool/tool-1.10.yaml': recipe('tool', '1.10'),
      'recipes/tool/tool-2.0rc.yaml': recipe('tool', '2.0~rc1'),
      'distros/pinned.yaml': 'version: "1"\nlibc: musl\npreferred-versions:\n  tool: 1.9\n',
    },
  };
  assert.is(new Configuration(layerSet(tempDir, layers).project()).recipe('tool').version, '2.0~rc1');
  assert.is(new Configuration(layerSet(tempDir, layers, 'distro: pinned\n').project()).recipe('tool').version, '1.9');
  assert.is(new Configuration(layerSet(tempDir, layers, 'distro: pinned\npreferred-versions:\n  tool: "1.%"\n').project()).recipe('tool').version, '1.10');
  const s = layerSet(tempDir, layers, 'preferred-versions:\n  tool: "3.*"\n');
  const d = diagOf(() => new Configuration(s.project()).recipe('tool'));
  assert.is(d.code, 'preferred-version-missing');
  assert.match(d.message, 'matches none of its versions: 1.9, 1.10, 2.0~rc1');
  assert.equal(d.location, { file: join(s.dir, 'strata.yaml'), line: 6, column: 9 });
});

test('the same recipe version in two layers: higher priority wins; equal priority is an error naming both', () => {
  const win = layerSet(tempDir, {
    core: { 'recipes/a.yaml': recipe('a', '1', 'vars:\n  FROM: core\n') },
    bsp: { 'layer.yaml': 'name: bsp\npriority: 9\n', 'recipes/a.yaml': recipe('a', '1', 'vars:\n  FROM: bsp\n') },
  });
  assert.is(new Configuration(win.project()).recipe('a').data.get('FROM'), 'bsp');
  const tie = layerSet(tempDir, { core: { 'recipes/a.yaml': recipe('a', '1') }, bsp: { 'recipes/a.yaml': recipe('a', '1') } });
  const d = diagOf(() => new Configuration(tie.project()).recipe('a'));
  assert.is(d.code, 'recipe-ambiguous');
  assert.equal([d.location?.file, d.related?.[0].location?.file].sort(), [join(tie.layer('bsp'), 'recipes/a.yaml'), join(tie.layer('core'), 'recipes/a.yaml')]);
});

test.run();
