import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { layerSet } from '../helpers/layer-set.js';
import { scratchDirs, strata } from '../helpers/strata.js';

// `strata env` as a user runs it (issue 13): like `bitbake -e`, every
// variable's history without naming any; expansion errors as diagnostics
// with the location of the assignment holding the bad reference, and a
// failing exit code, in env and in every other command.

const tempDir = scratchDirs(test);

const good = layerSet(tempDir, {
  core: {
    'classes/base.yaml': 'vars:\n  OPTS: -O2\n  OPTS:append: " -g"\n  T: early\n',
    'recipes/app.yaml':
      'name: app\nversion: "1"\ninherit: [base]\nvars:\n  OPTS:unset:\n  OPTS:append: -Os\n  SNAP:immediate: ${T}!\n  T: late\n  FLAVOUR: plain\n  FLAVOUR:board: tuned\n  FLAVOUR:board:append: +\n',
  },
});

test('strata env -r without names prints every variable with its whole history', async () => {
  const r = await strata(['env', '-r', 'app'], { cwd: good.dir });
  assert.is(r.code, 0, r.stderr);
  const recipe = join(good.layer('core'), 'recipes/app.yaml');
  const cls = join(good.layer('core'), 'classes/base.yaml');
  assert.match(r.stdout, 'OPTS="-Os"\n');
  assert.match(r.stdout, `  cancelled  = "-O2"  (class, ${cls}:2:3)\n`);
  assert.match(r.stdout, `  cancelled  :append " -g"  (class, ${cls}:3:3)\n`);
  assert.match(r.stdout, `  applied    :unset  (recipe, ${recipe}:5:3)\n`);
  assert.match(r.stdout, 'SNAP="early!"\n');
  assert.match(r.stdout, `  final      :immediate "\${T}!" -> "early!"  (recipe, ${recipe}:7:3)\n`);
  assert.match(r.stdout, 'FLAVOUR="tuned+"\n');
  assert.match(r.stdout, `  overridden = "plain"  (recipe, ${recipe}:9:3)\n`);
  assert.match(r.stdout, `  final      = "tuned" [if board]  (recipe, ${recipe}:10:3)\n`);
  assert.match(r.stdout, `  applied    :append "+" [on FLAVOUR:board]  (recipe, ${recipe}:11:3)\n`);
  // Built-in defaults have a history too.
  assert.match(r.stdout, /\nWORKDIR="[^"]+"\n {2}final {6}:default "\$\{TOPDIR\}/);
});

test('strata env --json: format 2 with key, target, expanded and the cancelled effect', async () => {
  const r = await strata(['env', '-r', 'app', '--json'], { cwd: good.dir });
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.is(doc.format, 2);
  const byName = new Map(doc.variables.map((v: { name: string }) => [v.name, v]));
  const snap = byName.get('SNAP') as { value: string; history: Record<string, unknown>[] };
  assert.is(snap.value, 'early!');
  assert.equal(snap.history[0], {
    key: 'SNAP:immediate',
    op: 'immediate',
    overrides: [],
    target: [],
    value: '${T}!',
    expanded: 'early!',
    level: 'recipe',
    location: `${join(good.layer('core'), 'recipes/app.yaml')}:7:3`,
    effect: 'final',
  });
  const flavour = byName.get('FLAVOUR') as { history: { key: string; target: string[]; overrides: string[]; effect: string }[] };
  assert.equal(
    flavour.history.map((h) => [h.key, h.target, h.overrides, h.effect]),
    [
      ['FLAVOUR', [], [], 'overridden'],
      ['FLAVOUR:board', ['board'], ['board'], 'final'],
      ['FLAVOUR:board:append', ['board'], ['board'], 'applied'],
    ],
  );
  const opts = byName.get('OPTS') as { history: { effect: string }[] };
  assert.equal(
    opts.history.map((h) => h.effect),
    ['cancelled', 'cancelled', 'applied', 'applied'],
  );
});

const bad = layerSet(tempDir, {
  core: {
    'recipes/app.yaml':
      'name: app\nversion: "1"\nvars:\n  GOOD: fine\n  A: a\n  A:append: " ${NOPE}"\n  X: ${Y}\n  Y: y\n  Y:append: ${Z}\n  Z: ${X}\ntasks:\n  compile: echo ${A}\n',
  },
});

test('an expansion error in strata env: a diagnostic at the line holding the reference, exit code 2, other values still printed', async () => {
  const r = await strata(['env', '-r', 'app'], { cwd: bad.dir });
  const file = join(bad.layer('core'), 'recipes/app.yaml');
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stdout, 'GOOD="fine"\n');
  assert.match(r.stdout, 'A=<error[var-undefined]>\n');
  assert.match(r.stdout, 'X=<error[var-cycle]>\n');
  assert.match(r.stderr, `${file}:6:3: error[var-undefined]: variable A refers to \${NOPE}, which is not set`);
  // The cycle: every link at the assignment that makes it.
  const cycle = r.stderr.split('\n').filter((l) => l.includes('var-cycle') || l.includes('refers to ${'));
  assert.ok(
    cycle.some((l) => l.startsWith(`${file}:7:3: error[var-cycle]: variable reference cycle: X -> Y -> Z -> X`)),
    r.stderr,
  );
  assert.match(r.stderr, `  note: ${file}:7:3: X refers to \${Y} here`);
  assert.match(r.stderr, `  note: ${file}:9:3: Y refers to \${Z} here`);
  assert.match(r.stderr, `  note: ${file}:10:3: Z refers to \${X} here`);
  const json = await strata(['env', '-r', 'app', 'A', 'GOOD', '--json'], { cwd: bad.dir });
  assert.is(json.code, 2);
  const [a, goodVar] = JSON.parse(json.stdout).variables;
  assert.equal(a.error, { code: 'var-undefined', message: 'variable A refers to ${NOPE}, which is not set', location: `${file}:6:3` });
  assert.is(a.value, undefined);
  assert.is(goodVar.value, 'fine');
});

test('the same expansion error fails strata build before anything runs', async () => {
  const file = join(bad.layer('core'), 'recipes/app.yaml');
  for (const args of [['build', 'app', '--offline']]) {
    const r = await strata(args, { cwd: bad.dir });
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, `${file}:6:3: error[var-undefined]`, args.join(' '));
  }
});

test.run();
