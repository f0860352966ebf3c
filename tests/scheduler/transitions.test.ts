import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../../core/model/clock.js';
import { INTERNAL_STATES, type TaskState, type Transition } from '../../core/scheduler/events.js';
import { TaskStates, TRANSITIONS } from '../../core/scheduler/task-states.js';
import { graphOf } from './fake-tasks.js';

// The table of allowed state changes: a change it does not list is a bug,
// thrown at once; every allowed change is published.

const states = () => {
  const graph = graphOf({ 'a:do': [] });
  const machine = new TaskStates(graph.nodes.values(), new FakeClock(1000));
  const seen: Transition[] = [];
  machine.transitions.subscribe((t) => seen.push(t));
  return { node: graph.get('a:do'), machine, seen };
};

test('illegal transitions throw and change nothing', () => {
  const illegal: [TaskState[], TaskState][] = [
    [[], 'running'],
    [[], 'succeeded'],
    [['ready'], 'running'],
    [['ready', 'starting', 'running', 'succeeded'], 'running'],
    [['ready', 'starting', 'cached'], 'pending'],
    [['ready', 'cancelled'], 'cancelled'],
    [['skipped'], 'ready'],
    [['ready', 'starting', 'failed'], 'succeeded'],
  ];
  for (const [path, to] of illegal) {
    const { node, machine, seen } = states();
    for (const s of path) machine.move(node, s);
    const before = machine.get('a:do');
    assert.throws(() => machine.move(node, to), new RegExp(`a:do cannot go from ${before} to ${to}`), `${[...path, to].join(' → ')}`);
    assert.is(machine.get('a:do'), before);
    assert.is(seen.length, path.length, 'nothing published for the refused change');
  }
});

test('legal changes are published with from, to, the clock time and details', () => {
  const { node, machine, seen } = states();
  machine.move(node, 'ready');
  machine.move(node, 'starting');
  machine.move(node, 'running', { message: 'restoring from the cache' });
  machine.move(node, 'pending', { message: 'must run' });
  assert.equal(
    seen.map((t) => [t.from, t.to, t.at, t.message]),
    [
      ['pending', 'ready', 1000, undefined],
      ['ready', 'starting', 1000, undefined],
      ['starting', 'running', 1000, 'restoring from the cache'],
      ['running', 'pending', 1000, 'must run'],
    ],
  );
  assert.equal([...machine.inState('pending')], ['a:do']);
  assert.equal([...machine.inState('running')], []);
});

test('the table: ends go nowhere, every state is reachable from pending, and every task can end', () => {
  const ends: TaskState[] = ['succeeded', 'cached', 'restored', 'failed', 'skipped', 'cancelled'];
  for (const s of ends) assert.equal(TRANSITIONS[s], [], s);
  const reach = new Set<TaskState>(['pending']);
  for (let grew = true; grew;) {
    grew = false;
    for (const s of [...reach]) for (const t of TRANSITIONS[s]) if (!reach.has(t)) grew = reach.add(t) !== undefined;
  }
  assert.equal([...reach].sort(), Object.keys(TRANSITIONS).sort());
  for (const s of Object.keys(TRANSITIONS) as TaskState[]) {
    if (ends.includes(s)) continue;
    const canEnd = (x: TaskState, seen = new Set<TaskState>()): boolean =>
      ends.includes(x) || (!seen.has(x) && (seen.add(x), TRANSITIONS[x].some((y) => canEnd(y, seen))));
    assert.ok(canEnd(s), `${s} can reach an end`);
  }
  assert.equal([...INTERNAL_STATES].sort(), ['ready', 'starting']);
});

test.run();
