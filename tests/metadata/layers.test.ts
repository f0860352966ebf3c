import { diagOf } from '../helpers/diagnostics.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { FIXTURES, scratchDirs, writeTree } from '../helpers/strata.js';
import { loadProject } from '../../core/config/project.js';
import { Configuration } from '../../core/resolve/configuration.js';
import { compareVersions, versionMatches } from '../../core/model/version.js';
import { planBuild, RECIPE_TASKS } from '../../core/graph/plan.js';
import { assertAcyclic, TaskGraph, topologicalOrder } from '../../core/graph/task-graph.js';
import { recipeId, taskId, taskName } from '../../core/model/ids.js';

// Two fixture layers (tests/fixtures/metadata): base (priority 5) has the
// recipes, a class, machines and a distro; product (priority 10) appends to
// hello and has an older tool. The project lists product first, so layer
// priority, not project order, must decide.

const tempDir = scratchDirs(test);

const BASE = join(FIXTURES, 'metadata/base');
const PRODUCT = join(FIXTURES, 'metadata/product');

function configuration(machine = 'qemuarm64'): Configuration {
  const dir = tempDir('strata-layers-');
  writeTree(dir, { 'strata.yaml': `layers:\n  - ${PRODUCT}\n  - ${BASE}\nmachine: ${machine}\ndistro: testdistro\n` });
  return new Configuration(loadProject(dir));
}

const cfg = configuration();

test('the project lists its layers; machine and distro come from the fixture layer', () => {
  assert.equal(
    cfg.catalog.layers.map((l) => [l.name, l.priority]),
    [
      ['product', 10],
      ['base', 5],
    ],
  );
  assert.is(cfg.machine.file, join(BASE, 'machines/qemuarm64.yaml'), "the layer's machine shadows Strata's own");
  assert.is(cfg.distro.name, 'testdistro');
  assert.equal(cfg.overrides, ['musl', 'aarch64', 'qemuall', 'qemuarm64', 'testdistro']);
});

test('an append from another layer is applied: its variables, depends and task :append', () => {
  const hello = cfg.recipe('hello');
  assert.is(hello.layer.name, 'base');
  assert.is(hello.data.get('EXTRA'), 'from product');
  assert.equal(hello.depends, ['tool']);
  assert.is(hello.data.get('do_compile'), 'echo from recipe\necho product\n');
  const h = hello.data.history('do_compile');
  assert.equal(
    h.map((e) => [e.assignment.loc.file, e.assignment.loc.line, e.effect]),
    [
      [join(BASE, 'classes/greeter.yaml'), 7, 'overridden'],
      [join(BASE, 'recipes/hello/hello.yaml'), 13, 'final'],
      [join(PRODUCT, 'recipes/hello/hello.append.yaml'), 8, 'applied'],
    ],
  );
});

test('appends apply in layer priority order, weakest first, whatever the project order', () => {
  const hello = cfg.recipe('hello');
  assert.equal(
    hello.appends.map((a) => a.layer.name),
    ['base', 'product'],
  );
  assert.is(hello.data.get('ORDER'), 'class recipe base product');
});

test('classes contribute variables and tasks; the recipe overrides the class', () => {
  const hello = cfg.recipe('hello');
  assert.equal(
    hello.classes.map((c) => c.name),
    ['greeter'],
  );
  assert.is(hello.data.get('CLASSVAR'), 'class value');
  assert.is(hello.data.get('GREETING'), 'from recipe');
  assert.match(hello.data.get('do_install'), /^install -d \/.+\/work\/qemuarm64\/hello-1\.0\/image\/greet\n$/);
  assert.equal(
    hello.data.history('GREETING').map((e) => e.effect),
    ['overridden', 'final'],
  );
});

test('several versions of a recipe: the highest wins (1.10 > 1.9), even from a weaker layer', () => {
  assert.is(compareVersions('1.10', '1.9'), 1);
  assert.is(compareVersions('1.9', '1.10'), -1);
  assert.is(compareVersions('1.2.3', '1.2'), 1);
  assert.is(compareVersions('2.0', '2.0'), 0);
  assert.ok(versionMatches('1.0', '1.%'));
  assert.not.ok(versionMatches('10', '1.%'));
  assert.equal(
    cfg.catalog.recipes
      .get('tool')!
      .map((r) => r.version)
      .sort(),
    ['1.10', '1.9'],
    'an unquoted 1.10 keeps its spelling',
  );
  const tool = cfg.recipe('tool');
  assert.is(tool.version, '1.10');
  assert.is(tool.layer.name, 'base');
  assert.is(tool.data.get('PV'), '1.10');
});

test('machine and arch overrides in a recipe take effect through the configuration', () => {
  const arm = cfg.recipe('hello').data;
  assert.is(arm.get('FOO'), 'machine arm', 'FOO:qemuarm64 then FOO:append:aarch64');
  assert.is(arm.get('BAR'), 'plain');
  assert.equal(
    arm.history('FOO').map((e) => e.effect),
    ['overridden', 'final', 'applied'],
  );
  const plain = configuration('plainboard');
  assert.equal(plain.overrides, ['musl', 'x86-64', 'plainboard', 'testdistro']);
  const x86 = plain.recipe('hello').data;
  assert.is(x86.get('FOO'), 'plain');
  assert.is(x86.get('BAR'), 'board');
  assert.equal(
    x86.history('FOO').map((e) => e.effect),
    ['final', 'inactive', 'inactive'],
  );
});

test('provider choice: the machine picks among recipes providing a virtual name', () => {
  assert.is(cfg.provider('virtual/foo', 'test').name, 'foo-b');
  assert.is(cfg.provider('hello', 'test').name, 'hello', 'a recipe name resolves to itself');
});

test('two providers and no choice: provider-ambiguous, listing both', () => {
  const d = diagOf(() => configuration('plainboard').provider('virtual/foo', 'app'));
  assert.is(d.code, 'provider-ambiguous');
  assert.match(d.message, 'foo-a');
  assert.match(d.message, 'foo-b');
  assert.match(d.message, 'needed by app');
});

test('nothing provides: provider-missing, with a spelling hint when close', () => {
  const d = diagOf(() => cfg.provider('virtual/nothing', 'app'));
  assert.is(d.code, 'provider-missing');
  assert.match(d.message, "nothing provides 'virtual/nothing' (needed by app)");
  const near = diagOf(() => cfg.provider('virtual/fo', 'app'));
  assert.is(near.code, 'provider-missing');
  assert.match(near.hint ?? '', "did you mean 'virtual/foo'?");
});

test('planBuild: each recipe runs its tasks in order, after the installs of its depends', () => {
  const plan = planBuild(cfg, 'app');
  assert.equal(
    plan.recipes.map((r) => r.name),
    ['app', 'foo-b', 'tool'],
  );
  const order = topologicalOrder(plan.graph);
  assert.is(order.length, 3 * RECIPE_TASKS.length);
  const pos = (k: string) => {
    const i = order.indexOf(k);
    assert.ok(i >= 0, `${k} is planned`);
    return i;
  };
  for (const r of ['app', 'foo-b', 'tool']) {
    for (let i = 1; i < RECIPE_TASKS.length; i++)
      assert.ok(pos(`${r}:${RECIPE_TASKS[i - 1]}`) < pos(`${r}:${RECIPE_TASKS[i]}`), `${r}: ${RECIPE_TASKS[i - 1]} before ${RECIPE_TASKS[i]}`);
  }
  assert.equal(plan.graph.get('app:prepare_sysroot').deps, ['app:patch', 'foo-b:install', 'tool:install']);
  assert.ok(pos('foo-b:install') < pos('app:prepare_sysroot'));
  assert.ok(pos('tool:install') < pos('app:prepare_sysroot'));
  assert.equal(order.slice(0, 4), ['app:fetch', 'app:unpack', 'app:patch', 'foo-b:fetch'], 'ties broken by key');
  assert.equal(topologicalOrder(planBuild(cfg, 'app').graph), order, 'the order is stable');
});

test('a task-graph cycle is a graph-cycle error naming the whole path', () => {
  const g = new TaskGraph<null>();
  const id = (r: string, t: string) => taskId(recipeId(r), taskName(t));
  g.add(id('x', 'a'), [id('x', 'b')], null);
  g.add(id('x', 'b'), [id('y', 'c')], null);
  g.add(id('y', 'c'), [id('x', 'a')], null);
  const d = diagOf(() => assertAcyclic(g));
  assert.is(d.code, 'graph-cycle');
  assert.match(d.message, 'x:a -> x:b -> y:c -> x:a');
});

test('a recipe depends cycle gives graph-cycle', () => {
  const d = diagOf(() => planBuild(cfg, 'cyc-a'));
  assert.is(d.code, 'graph-cycle');
  assert.match(d.message, /^dependency cycle: (\S+) -> .* -> \1$/);
});

// Fails today (core/graph/plan.ts): sysrootRecipes() includes the recipe itself
// when it is in a depends cycle, so the cycle found is cyc-a's own
// prepare_sysroot -> install chain, and the message never names cyc-b.
test('a recipe depends cycle names both recipes of the cycle', () => {
  const d = diagOf(() => planBuild(cfg, 'cyc-a'));
  assert.match(d.message, 'cyc-a', d.message);
  assert.match(d.message, 'cyc-b', `the depends path cyc-a -> cyc-b -> cyc-a should be named; got: ${d.message}`);
});

test.run();
