import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertAcyclic, dependentsOf, topologicalOrder, upTo, upstreamMatching } from '../../core/graph/task-graph.js';
import { diagOf } from '../helpers/diagnostics.js';
import { graphOf } from '../scheduler/fake-tasks.js';

// The graph's pure functions: dependency order, cycles named with their
// whole path, and the edges turned round.

test('topological order puts every task after what it waits for, ties by name, the same every time', () => {
  const spec = { 'z:do': [], 'b:do': ['z:do'], 'a:do': ['b:do', 'c:do'], 'c:do': ['z:do'], 'm:do': [] };
  const order = topologicalOrder(graphOf(spec));
  assert.equal(order, ['z:do', 'b:do', 'c:do', 'a:do', 'm:do']);
  for (const [key, deps] of Object.entries(spec)) for (const d of deps) assert.ok(order.indexOf(d) < order.indexOf(key), `${d} before ${key}`);
  // The order does not depend on the order tasks were added in.
  const reversed = Object.fromEntries(Object.entries(spec).reverse());
  assert.equal(topologicalOrder(graphOf(reversed)), order);
});

test('a cycle is a user error naming every task on it, in order, back to the first', () => {
  const cycles: [Record<string, string[]>, string][] = [
    [{ 'a:do': ['a:do'] }, 'a:do -> a:do'],
    [{ 'a:do': ['b:do'], 'b:do': ['a:do'] }, 'a:do -> b:do -> a:do'],
    [{ 'x:do': [], 'a:do': ['x:do', 'b:do'], 'b:do': ['c:do'], 'c:do': ['a:do'] }, 'a:do -> b:do -> c:do -> a:do'],
    [{ 'top:do': ['a:do'], 'a:do': ['b:do'], 'b:do': ['c:do'], 'c:do': ['b:do'] }, 'b:do -> c:do -> b:do'],
  ];
  for (const [spec, path] of cycles) {
    const d = diagOf(() => assertAcyclic(graphOf(spec)));
    assert.is(d.code, 'graph-cycle');
    assert.is(d.message, `dependency cycle: ${path}`);
    assert.throws(() => topologicalOrder(graphOf(spec)), /dependency cycle/);
  }
});

test('a dependency on a task that is not in the graph is a bug, not a user error', () => {
  assert.throws(() => assertAcyclic(graphOf({ 'a:do': ['ghost:do'] })), /bug: a:do depends on unknown task ghost:do/);
});

test('dependents turn the edges round', () => {
  const d = dependentsOf(graphOf({ 'a:do': [], 'b:do': ['a:do'], 'c:do': ['a:do', 'b:do'] }));
  assert.equal(Object.fromEntries(d), { 'a:do': ['b:do', 'c:do'], 'b:do': ['c:do'] });
});

test('upstream matching: the marked tasks each task waits for, directly or not', () => {
  const g = graphOf({ 'a:do': [], 'b:do': ['a:do'], 'x:do': [], 'c:do': ['b:do', 'x:do'], 'd:do': ['c:do'], 'e:do': [] });
  const marked = new Set(['a:do', 'x:do']);
  const up = upstreamMatching(g, ['d:do', 'b:do', 'e:do', 'a:do'], (k) => marked.has(k));
  assert.equal(Object.fromEntries([...up].map(([k, v]) => [k, [...v].sort()])), { 'd:do': ['a:do', 'x:do'], 'b:do': ['a:do'], 'e:do': [], 'a:do': [] });
});

test('upTo: a task and everything it waits for, directly or not, and nothing else; it is the only target', () => {
  const g = graphOf({
    'r:fetch': [],
    'r:configure': ['r:fetch', 'd:install'],
    'r:compile': ['r:configure'],
    'd:install': ['d:compile'],
    'd:compile': [],
    'x:do': [],
  });
  const part = upTo(g, 'r:configure');
  assert.equal([...part.nodes.keys()].sort(), ['d:compile', 'd:install', 'r:configure', 'r:fetch']);
  assert.equal(
    [...part.nodes.keys()].filter((k) => !dependentsOf(part).has(k)),
    ['r:configure'],
  );
  assert.is(part.get('r:configure'), g.get('r:configure'), 'the same nodes');
  assert.equal([...upTo(g, 'x:do').nodes.keys()], ['x:do']);
});

test.run();
