import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TaskPayload } from '../../core/graph/plan.js';
import { TaskGraph } from '../../core/graph/task-graph.js';
import { recipeId, taskId, taskName } from '../../core/model/ids.js';
import { RebuildReasons, type RebuildFacts } from '../../core/signature/rebuild-reasons.js';
import type { SignatureRecord } from '../../core/signature/signature.js';

// `strata why`'s analysis over a fake run-queue plan: a chain
// lib:compile → lib:install → app:prepare_sysroot → app:configure, and a
// table of what the plan decided, what it signed and what the stamps hold.

const AT = { file: '/layer/recipes/lib.yaml', line: 4, column: 3 };
/** A recipe payload whose history says MSG is set at AT (the only seam the analysis reads). */
const payload = (kind: string) =>
  ({ kind, recipe: { data: { history: (n: string) => (n === 'MSG' ? [{ effect: 'final', assignment: { loc: AT } }] : []) } } }) as unknown as TaskPayload;
const id = (key: string) => {
  const [r, t] = key.split(':');
  return taskId(recipeId(r), taskName(t));
};
const rec = (vars: Record<string, string>, deps: Record<string, string> = {}): SignatureRecord => ({
  task: 't',
  format: 2,
  vars,
  files: {},
  settings: '',
  deps,
});

function graph(): TaskGraph<TaskPayload> {
  const g = new TaskGraph<TaskPayload>();
  g.add(id('lib:compile'), [], payload('compile'));
  g.add(id('lib:install'), [id('lib:compile')], payload('install'));
  g.add(id('app:prepare_sysroot'), [id('lib:install')], payload('prepare_sysroot'));
  g.add(id('app:configure'), [id('app:prepare_sysroot')], payload('configure'));
  g.add(id('tool:compile'), [], payload('compile'));
  return g;
}

function facts(table: Record<string, { decided?: 'stamped' | 'restore' | 'run'; signed?: SignatureRecord; stamped?: SignatureRecord }>): RebuildFacts {
  return {
    graph: graph(),
    decided: (k) => table[k]?.decided,
    signed: (k) => table[k]?.signed,
    stamped: async (k) => table[k]?.stamped,
  };
}

test('settled tasks: up to date, restorable, never ran', async () => {
  const r = new RebuildReasons(
    facts({ 'lib:compile': { decided: 'stamped' }, 'lib:install': { decided: 'restore' }, 'tool:compile': { decided: 'run', signed: rec({}) } }),
  );
  assert.equal(await r.of('lib:compile'), { kind: 'up-to-date' });
  assert.equal(await r.of('lib:install'), { kind: 'restore' });
  assert.equal(await r.of('tool:compile'), { kind: 'never-ran' });
});

test('a task whose inputs are known lists its changes, variables located in the recipe', async () => {
  const r = new RebuildReasons(facts({ 'lib:compile': { decided: 'run', stamped: rec({ MSG: 'a' }), signed: rec({ MSG: 'b' }) } }));
  assert.equal(await r.of('lib:compile'), { kind: 'changed', changes: [{ kind: 'variable', name: 'MSG', old: 'a', new: 'b', location: AT }] });
});

test('same record, still to run: changed with no changes (its output was not recorded)', async () => {
  const r = new RebuildReasons(facts({ 'lib:compile': { decided: 'run', stamped: rec({ A: '1' }), signed: rec({ A: '1' }) } }));
  assert.equal(await r.of('lib:compile'), { kind: 'changed', changes: [] });
});

test('a task waiting on unknown inputs names what it waits for and the first real change down the chain', async () => {
  const r = new RebuildReasons(
    facts({
      'lib:compile': { decided: 'run', stamped: rec({ MSG: 'a' }), signed: rec({ MSG: 'b' }) },
      // install's own record differs only in a dependency: not where the change is
      'lib:install': { decided: 'run', stamped: rec({}, { 'lib:compile': 'x' }), signed: rec({}, { 'lib:compile': 'y' }) },
      'app:prepare_sysroot': { decided: 'run', stamped: rec({}) },
      'app:configure': { decided: 'run', stamped: rec({}) },
    }),
  );
  const why = await r.of('app:configure');
  assert.equal(why, {
    kind: 'waits',
    waitsFor: ['app:prepare_sysroot'],
    causes: [{ task: 'lib:compile', reason: { kind: 'changed', changes: [{ kind: 'variable', name: 'MSG', old: 'a', new: 'b', location: AT }] } }],
  });
});

test('a dependency that never ran is a cause in its own right', async () => {
  const r = new RebuildReasons(facts({ 'lib:compile': { decided: 'run', signed: rec({}) }, 'lib:install': { decided: 'run', stamped: rec({}) } }));
  assert.equal(await r.of('lib:install'), { kind: 'waits', waitsFor: ['lib:compile'], causes: [{ task: 'lib:compile', reason: { kind: 'never-ran' } }] });
});

test.run();
