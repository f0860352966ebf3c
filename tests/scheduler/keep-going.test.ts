import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fakeQueue, FakeTasks, type GraphSpec } from './fake-tasks.js';

// A failure stops new starts; -k keeps starting everything that does not
// wait for it. Either way the summary names, for each failure, every task
// that did not start because it waits for it.

const SPEC: GraphSpec = {
  'bad:t0': [],
  'bad:t1': ['bad:t0'],
  'bad:t2': ['bad:t1'],
  'good:t0': [],
  'good:t1': ['good:t0'],
  'good:t2': ['good:t1'],
  'top:do': ['bad:t2', 'good:t2'],
  'other:do': [],
};

test('-k runs everything not behind the failure and reports exactly what the failure held back', async () => {
  const fakes = new FakeTasks({ fail: ['bad:t1'] });
  const { queue } = fakeQueue(SPEC, fakes, { jobs: 1, keepGoing: true });
  const events: string[] = [];
  queue.events.subscribe((e) => events.push(`${e.key} ${e.state}`));
  const summary = await queue.run(new AbortController().signal);
  assert.equal([...fakes.started].sort(), ['bad:t0', 'bad:t1', 'good:t0', 'good:t1', 'good:t2', 'other:do']);
  assert.equal(summary.failures, [{ key: 'bad:t1', message: 'bad:t1 failed on purpose', blocked: ['bad:t2', 'top:do'] }]);
  assert.equal(
    { ran: summary.ran, failed: summary.failed, cancelled: summary.cancelled, skipped: summary.skipped },
    { ran: 6, failed: 1, cancelled: 2, skipped: 0 },
  );
  assert.ok(events.includes('bad:t2 cancelled') && events.includes('top:do cancelled'));
});

test('-k with two failures: a task behind both is reported under each', async () => {
  const fakes = new FakeTasks({ fail: ['bad:t1', 'good:t0'] });
  const summary = await fakeQueue(SPEC, fakes, { jobs: 2, keepGoing: true }).queue.run(new AbortController().signal);
  const byKey = Object.fromEntries(summary.failures.map((f) => [f.key, f.blocked]));
  assert.equal(byKey, { 'bad:t1': ['bad:t2', 'top:do'], 'good:t0': ['good:t1', 'good:t2', 'top:do'] });
  assert.is(summary.cancelled, 4);
});

test('without -k a failure stops new starts, and the tasks already running finish', async () => {
  const fakes = new FakeTasks({ fail: ['bad:t0'], gated: ['good:t0'] });
  const { queue, transitions } = fakeQueue(SPEC, fakes, { jobs: 2 });
  const order: string[] = [];
  queue.transitions.subscribe((t) => {
    if (t.key === 'bad:t0' && t.to === 'failed') setImmediate(() => fakes.release('good:t0'));
  });
  queue.events.subscribe((e) => order.push(`${e.key} ${e.state}`));
  const summary = await queue.run(new AbortController().signal);
  // bad sorts before good among equal chains, so these two started first.
  assert.equal(fakes.started, ['bad:t0', 'good:t0']);
  assert.ok(order.indexOf('good:t0 succeeded') > order.indexOf('bad:t0 failed'), 'good:t0 was running and was waited for');
  assert.equal({ ran: summary.ran, failed: summary.failed, cancelled: summary.cancelled }, { ran: 2, failed: 1, cancelled: 6 });
  assert.equal(summary.failures[0].blocked, ['bad:t1', 'bad:t2', 'top:do'], 'only what waits for the failure is blamed on it');
  assert.ok(transitions.filter((t) => t.to === 'cancelled').every((t) => t.from === 'pending' || t.from === 'ready'));
});

test.run();
