import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// The metadata commands as a user runs them: strata layers, recipes, env
// and graph, in a project with two layers, an append, a preferred version
// and a mask.

const tempDir = scratchDirs(test);
const s = layerSet(
  tempDir,
  {
    core: {
      'layer.yaml': 'name: core\nversion: 1.2\npriority: 5\n',
      'classes/greeter.yaml': 'vars:\n  GREETING: hello\n',
      'recipes/tool/tool-1.9.yaml': 'name: tool\nversion: "1.9"\n',
      'recipes/tool/tool-1.10.yaml': 'name: tool\nversion: "1.10"\n',
      'recipes/app.yaml':
        'name: app\nversion: "2"\ninherit: [greeter]\ndepends: [tool]\nvars:\n  GREETING:append: " world"\n  FLAVOUR: plain\n  FLAVOUR:board: board-tuned\ntasks:\n  compile: echo ${GREETING}\n',
      'recipes/old.yaml': 'name: old\nversion: "1"\n',
    },
    product: {
      'layer.yaml': 'name: product\npriority: 10\ndepends: [core >= 1.0]\nmasks: [core/recipes/old.yaml]\n',
      'recipes/app.append.yaml': 'append: app\nvars:\n  GREETING:append: "!"\n',
    },
  },
  'preferred-versions:\n  tool: "1.9"\n',
);

test('strata layers: priority order, version, path, depends, and what masks hide', async () => {
  const r = await strata(['layers'], { cwd: s.dir });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^layer\s+version\s+priority\s+path\s+depends$/);
  assert.match(lines[1], /^product\s+0\s+10\s+product\s+core >= 1\.0$/);
  assert.match(lines[2], /^core\s+1\.2\s+5\s+core$/);
  assert.match(r.stdout, /masked \(1 files\):\n {2}core\/recipes\/old\.yaml/);
  const json = JSON.parse((await strata(['layers', '--json'], { cwd: s.dir })).stdout);
  assert.equal(
    json.layers.map((l: { name: string; priority: number }) => [l.name, l.priority]),
    [
      ['product', 10],
      ['core', 5],
    ],
  );
});

test('strata recipes --json: versions, the chosen one and why, appends and classes', async () => {
  const r = await strata(['recipes', '--json'], { cwd: s.dir });
  assert.is(r.code, 0, r.stderr);
  const { recipes } = JSON.parse(r.stdout);
  assert.equal(
    recipes.map((x: { name: string }) => x.name),
    ['app', 'tool'],
  );
  const [app, tool] = recipes;
  assert.equal(tool.chosen, { version: '1.9', layer: 'core', file: join(s.layer('core'), 'recipes/tool/tool-1.9.yaml'), reason: 'preferred 1.9' });
  assert.equal(
    tool.versions.map((v: { version: string }) => v.version),
    ['1.10', '1.9'],
  );
  assert.equal(app.appends, [{ layer: 'product', file: join(s.layer('product'), 'recipes/app.append.yaml') }]);
  assert.equal(app.classes, ['greeter']);
  assert.equal(app.chosen.reason, 'only version');
  const text = await strata(['recipes'], { cwd: s.dir });
  assert.match(text.stdout, /tool\s+1\.9\s+core; also 1\.10 \(core\); preferred 1\.9/);
});

test('strata env -r: the final value and every assignment with its effect; --json has the documented shape', async () => {
  const r = await strata(['env', '-r', 'app', 'GREETING', 'FLAVOUR'], { cwd: s.dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'GREETING="hello world!"');
  assert.match(r.stdout, `final      = "hello"  (class, ${join(s.layer('core'), 'classes/greeter.yaml')}:2:3)`);
  assert.match(r.stdout, `applied    :append "!"  (append, ${join(s.layer('product'), 'recipes/app.append.yaml')}:3:3)`);
  assert.match(r.stdout, 'FLAVOUR="board-tuned"');
  assert.match(r.stdout, /overridden = "plain"/);
  const json = JSON.parse((await strata(['env', '-r', 'app', 'FLAVOUR', '--json'], { cwd: s.dir })).stdout);
  assert.is(json.format, 2, 'format 2: history entries carry key and target, errors are objects (issue 13)');
  assert.is(json.recipe, 'app');
  assert.equal(json.overrides, ['musl', 'aarch64', 'boardfamily', 'board', 'testdistro', 'pn-app']);
  assert.equal(json.variables[0].name, 'FLAVOUR');
  assert.equal(json.variables[0].value, 'board-tuned');
  assert.equal(
    json.variables[0].history.map((h: { op: string; overrides: string[]; effect: string; level: string }) => [h.op, h.overrides, h.effect, h.level]),
    [
      ['set', [], 'overridden', 'recipe'],
      ['set', ['board'], 'final', 'recipe'],
    ],
  );
  assert.match(json.variables[0].history[1].location, /recipes\/app\.yaml:8:3$/);
});

test('--set on the command line is the strongest level; a conditional assignment still beats a plain one, as documented', async () => {
  const plain = await strata(['env', '-r', 'app', 'GREETING', '--set', 'GREETING=from-cli', '--json'], { cwd: s.dir });
  assert.is(plain.code, 0, plain.stderr);
  const g = JSON.parse(plain.stdout).variables[0];
  assert.is(g.value, 'from-cli world!', "the recipe's and the append's :append still apply");
  assert.equal(g.history.at(-1), {
    key: 'GREETING',
    op: 'set',
    overrides: [],
    target: [],
    value: 'from-cli',
    level: 'command line',
    location: '<command line>',
    effect: 'final',
  });
  const r = await strata(['env', '-r', 'app', 'FLAVOUR', '--set', 'FLAVOUR=from-cli', '--set', 'FLAVOUR:append= +x', '--json'], { cwd: s.dir });
  const v = JSON.parse(r.stdout).variables[0];
  assert.is(v.value, 'board-tuned +x', 'FLAVOUR:board in the recipe beats a plain FLAVOUR from anywhere');
  assert.equal(
    v.history.slice(-2).map((h: { level: string; effect: string }) => [h.level, h.effect]),
    [
      ['command line', 'overridden'],
      ['command line', 'applied'],
    ],
  );
  const bad = await strata(['env', '--set', 'NOEQUALS'], { cwd: s.dir });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, "--set 'NOEQUALS' is not NAME=VALUE");
});

test('strata graph --format json lists tasks in run order; dot is a digraph with a cluster per recipe', async () => {
  const r = await strata(['graph', 'app', '--format', 'json'], { cwd: s.dir });
  assert.is(r.code, 0, r.stderr);
  const { target, tasks } = JSON.parse(r.stdout);
  assert.is(target, 'app');
  const ids: string[] = tasks.map((t: { id: string }) => t.id);
  assert.ok(ids.indexOf('tool:install') < ids.indexOf('app:prepare_sysroot'));
  const sysroot = tasks.find((t: { id: string }) => t.id === 'app:prepare_sysroot');
  assert.equal(sysroot.deps, ['app:patch', 'tool:install']);
  for (const t of tasks) for (const d of t.deps) assert.ok(ids.indexOf(d) < ids.indexOf(t.id), `${d} before ${t.id}`);
  const dot = await strata(['graph', 'app'], { cwd: s.dir });
  assert.match(dot.stdout, /^digraph "app" \{/);
  assert.match(dot.stdout, /label="tool";/);
  assert.match(dot.stdout, /"tool:install" -> "app:prepare_sysroot";/);
  const bad = await strata(['graph', 'app', '--format', 'svg'], { cwd: s.dir });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /unknown graph format 'svg'/);
});

test('a metadata error from a command: printed with file:line:col and exit code 2', async () => {
  const broken = layerSet(tempDir, { core: { 'recipes/app.yaml': 'name: app\nversion: "1"\nvars:\n  CFLAGS:apend: -g\n' } });
  const r = await strata(['recipes'], { cwd: broken.dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, `${join(broken.layer('core'), 'recipes/app.yaml')}:4:3: error[var-override-unknown]`);
  assert.match(r.stderr, "did you mean the operator ':append'?");
});

test.run();
