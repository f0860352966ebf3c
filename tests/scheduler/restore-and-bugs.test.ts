import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CachedOutputInfo, TaskCache } from '../../core/scheduler/task-cache.js';
import { TaskFailed } from '../../core/scheduler/task-failed.js';
import { fakeQueue, FakeTasks } from './fake-tasks.js';

// The queue's harder paths with fakes: a cache object that turns out
// unusable sends its task back to pending until what it waits for is done;
// and exceptions other than TaskFailed are bugs unless the seam says
// otherwise.

/** A cache that claims every object and restores those not named in `broken`. */
class FakeCache implements TaskCache {
  readonly restored: string[] = [];
  constructor(private readonly broken: readonly string[]) {}
  async lookup(signature: string): Promise<CachedOutputInfo> {
    return { output: `output of ${signature}` };
  }
  async restore(signature: string, paths: readonly string[]): Promise<CachedOutputInfo | undefined> {
    if (this.broken.some((k) => paths[0].endsWith(k))) return undefined;
    this.restored.push(paths[0].split('/').pop()!);
    return { output: `output of ${signature}` };
  }
  async save(): Promise<void> {}
}

test('an unusable cache object: its task goes back to pending, what it waits for is restored, then it runs', async () => {
  const fakes = new FakeTasks({ captured: ['a:do', 'b:do'] });
  const cache = new FakeCache(['b:do']);
  const { queue, transitions } = fakeQueue({ 'a:do': [], 'b:do': ['a:do'] }, fakes, { cache });
  const events: string[] = [];
  queue.events.subscribe((e) => events.push(`${e.key} ${e.state}${e.message ? ` (${e.message})` : ''}`));
  const summary = await queue.run(new AbortController().signal);
  assert.equal(
    transitions.filter((t) => t.key === 'b:do').map((t) => t.to),
    ['ready', 'starting', 'running', 'pending', 'ready', 'starting', 'running', 'succeeded'],
  );
  assert.equal(cache.restored, ['a:do']);
  assert.equal(fakes.started, ['b:do']);
  assert.equal(events, [
    'b:do running (restoring from the cache)',
    'b:do pending (must run: its cached output was not usable)',
    'a:do running (restoring from the cache)',
    'a:do restored',
    // Planned to run now, it still asks the cache first (its signature may have an object after all).
    'b:do running (restoring from the cache)',
    'b:do succeeded',
  ]);
  assert.equal({ ran: summary.ran, restored: summary.restored }, { ran: 1, restored: 1 });
});

test('an exception other than TaskFailed is a bug: the run rejects with it', async () => {
  const fakes = new FakeTasks();
  fakes.run = async () => {
    throw new TypeError('undefined is not a function');
  };
  await fakeQueue({ 'a:do': [] }, fakes)
    .queue.run(new AbortController().signal)
    .then(
      () => assert.unreachable('the run should reject'),
      (e) => assert.instance(e, TypeError),
    );
});

test("the seam's failure() turns an exception the user can fix (a full disk) into a task failure", async () => {
  const fakes = new FakeTasks();
  fakes.run = async () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  fakes.failure = (caught) => ((caught as NodeJS.ErrnoException).code === 'ENOSPC' ? new TaskFailed('the disk is full') : undefined);
  const summary = await fakeQueue({ 'a:do': [], 'b:do': ['a:do'] }, fakes).queue.run(new AbortController().signal);
  assert.equal(summary.failures, [{ key: 'a:do', message: 'the disk is full', blocked: ['b:do'] }]);
});

test('a task whose inputs fail (bad metadata met while signing) fails when it would start, not the whole build', async () => {
  const fakes = new FakeTasks();
  fakes.inputs = (node) => {
    if (node.key === 'b:do') throw new TaskFailed('b.yaml:3:5: error: unknown package');
    return 'ok';
  };
  const { queue, transitions } = fakeQueue({ 'a:do': [], 'b:do': ['a:do'], 'c:do': [] }, fakes, { keepGoing: true });
  const summary = await queue.run(new AbortController().signal);
  assert.equal(
    transitions.filter((t) => t.key === 'b:do').map((t) => t.to),
    ['ready', 'starting', 'failed'],
  );
  assert.equal(fakes.started.sort(), ['a:do', 'c:do']);
  assert.is(summary.failed, 1);
});

test.run();
