import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chains, fakeQueue, FakeTasks } from './fake-tasks.js';

// Ctrl-C (SIGINT and SIGTERM abort the build's signal, core/cli/build.ts):
// nothing new starts, the running tasks get the signal and are waited for,
// and everything left is reported as not started.

test('an abort starts nothing new and waits for the running tasks before the run ends', async () => {
  const fakes = new FakeTasks({ gated: ['c0:t0', 'c1:t0'] });
  const { queue, transitions } = fakeQueue(chains(3, 3), fakes, { jobs: 2 });
  const stop = new AbortController();
  let ended = false;
  const run = queue.run(stop.signal).then((s) => {
    ended = true;
    return s;
  });
  await fakes.waitingAt('c0:t0');
  await fakes.waitingAt('c1:t0');
  stop.abort();
  fakes.release('c0:t0');
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.not.ok(ended, 'the run waits for c1:t0, still running');
  fakes.release('c1:t0');
  const summary = await run;
  assert.equal(fakes.started, ['c0:t0', 'c1:t0'], 'nothing started after the abort');
  assert.equal({ ran: summary.ran, cancelled: summary.cancelled, failed: summary.failed }, { ran: 2, cancelled: 7, failed: 0 });
  assert.equal(transitions.filter((t) => t.to === 'cancelled').length, 7);
});

test('a running task that fails because it was stopped is a failure, not a bug; the rest is cancelled', async () => {
  const fakes = new FakeTasks({ gated: ['c0:t0'], fail: ['c0:t0'] });
  const { queue } = fakeQueue(chains(2, 2), fakes, { jobs: 1 });
  const stop = new AbortController();
  const run = queue.run(stop.signal);
  await fakes.waitingAt('c0:t0');
  stop.abort();
  fakes.release('c0:t0');
  const summary = await run;
  assert.equal(
    summary.failures.map((f) => f.message),
    ['c0:t0 failed on purpose (after the abort)'],
  );
  assert.equal({ failed: summary.failed, cancelled: summary.cancelled }, { failed: 1, cancelled: 3 });
});

test('an abort before the run starts nothing at all', async () => {
  const fakes = new FakeTasks();
  const stop = new AbortController();
  stop.abort();
  const summary = await fakeQueue(chains(2, 2), fakes, { jobs: 4 }).queue.run(stop.signal);
  assert.equal(fakes.started, []);
  assert.is(summary.cancelled, 4);
});

test.run();
