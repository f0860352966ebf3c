import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fakeQueue, FakeTasks, MemoryStamps, type GraphSpec } from './fake-tasks.js';

// Ready tasks start longest chain first: by number of tasks on a first
// build, by last time's durations (measured on the queue's clock) after.

const SPEC: GraphSpec = { 'a:t0': [], 'b:t0': [], 'z:t0': [], 'z:t1': ['z:t0'], 'z:t2': ['z:t1'], 'z:t3': ['z:t2'] };

test('the longest chain starts first, although its name sorts last', async () => {
  const fakes = new FakeTasks();
  await fakeQueue(SPEC, fakes, { jobs: 1 }).queue.run(new AbortController().signal);
  // z:t3 has no more work behind it than a or b: from there, names decide.
  assert.equal(fakes.started, ['z:t0', 'z:t1', 'z:t2', 'a:t0', 'b:t0', 'z:t3']);
});

test('durations come from the clock: each event and stamp has the time the fake task took', async () => {
  const fakes = new FakeTasks({ durations: { 'a:t0': 90_000, 'z:t0': 5, 'z:t1': 5, 'z:t2': 5, 'z:t3': 5, 'b:t0': 7 } });
  const { queue, stamps } = fakeQueue(SPEC, fakes, { jobs: 1 });
  const took = new Map<string, number | undefined>();
  queue.events.subscribe((e) => e.state === 'succeeded' && took.set(e.key, e.durationMs));
  const summary = await queue.run(new AbortController().signal);
  assert.is(took.get('a:t0'), 90_000);
  assert.is(took.get('b:t0'), 7);
  assert.is(summary.durationMs, 90_027);
  assert.is(stamps.stamps.get('a:t0')?.durationMs, 90_000);
  assert.is(stamps.stamps.get('a:t0')?.finished, new Date(Date.UTC(2026, 0, 1) + 90_015).toISOString());
});

test('on the next build, a task that took long starts before a chain of quick ones', async () => {
  const stamps = new MemoryStamps();
  const durations = { 'a:t0': 90_000, 'z:t0': 5, 'z:t1': 5, 'z:t2': 5, 'z:t3': 5, 'b:t0': 7 };
  await fakeQueue(SPEC, new FakeTasks({ durations }), { jobs: 1 }, stamps).queue.run(new AbortController().signal);
  const again = new FakeTasks({ durations });
  for (const key of Object.keys(SPEC)) again.inputsVersion.set(key, 2);
  await fakeQueue(SPEC, again, { jobs: 1 }, stamps).queue.run(new AbortController().signal);
  // Then z's chain (20 ms to go) before b (7 ms), and b before z's last 5 ms.
  assert.equal(again.started, ['a:t0', 'z:t0', 'z:t1', 'z:t2', 'b:t0', 'z:t3']);
});

test('a task never timed counts as the average of those that were', async () => {
  const stamps = new MemoryStamps();
  // Only z's chain ran before (20 ms each): the new task c is assumed to take
  // 20 ms too, so z's chain (80 ms to go) comes first, until only z:t3's 20 ms are left.
  const spec: GraphSpec = { 'z:t0': [], 'z:t1': ['z:t0'], 'z:t2': ['z:t1'], 'z:t3': ['z:t2'] };
  await fakeQueue(spec, new FakeTasks({ durations: { 'z:t0': 20, 'z:t1': 20, 'z:t2': 20, 'z:t3': 20 } }), {}, stamps).queue.run(new AbortController().signal);
  const again = new FakeTasks();
  for (const key of Object.keys(spec)) again.inputsVersion.set(key, 2);
  await fakeQueue({ ...spec, 'c:t0': [] }, again, {}, stamps).queue.run(new AbortController().signal);
  assert.equal(again.started, ['z:t0', 'z:t1', 'z:t2', 'c:t0', 'z:t3']);
});

test.run();
