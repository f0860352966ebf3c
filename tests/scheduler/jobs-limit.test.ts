import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chains, fakeQueue, FakeTasks } from './fake-tasks.js';

// -j N: never more than N tasks at once, and N at once when N are ready.

for (const [jobs, expected] of [
  [1, 1],
  [2, 2],
  [3, 3],
  [8, 6],
  [64, 6],
] as const) {
  test(`-j ${jobs} over six independent chains runs at most ${expected} at once`, async () => {
    const fakes = new FakeTasks();
    const { queue } = fakeQueue(chains(6, 5), fakes, { jobs });
    const summary = await queue.run(new AbortController().signal);
    assert.is(fakes.maxRunning, expected);
    assert.is(summary.ran, 30);
  });
}

test('-j 2 with one long chain: the chain never runs two of its own tasks at once', async () => {
  const fakes = new FakeTasks();
  const { queue } = fakeQueue(chains(1, 10), fakes, { jobs: 2 });
  await queue.run(new AbortController().signal);
  assert.is(fakes.maxRunning, 1);
});

test.run();
