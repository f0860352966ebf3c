import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TaskFailed } from '../../core/scheduler/task-failed.js';
import { parseShuffleSeed } from '../../core/scheduler/ready-order.js';
import { chains, fakeQueue, FakeTasks, type GraphSpec } from './fake-tasks.js';

// --shuffle=SEED: ready tasks start in an order drawn from the seed, the
// same order for the same seed, so a dependency nobody declared fails in
// some order and that order can be replayed.

const order = async (spec: GraphSpec, shuffle?: number) => {
  const fakes = new FakeTasks();
  await fakeQueue(spec, fakes, { jobs: 1, shuffle }).queue.run(new AbortController().signal);
  return fakes.started.join(' ');
};

test('the same seed gives the same order; different seeds give different orders', async () => {
  const spec = chains(5, 2);
  assert.is(await order(spec, 42), await order(spec, 42));
  const orders = new Set<string>();
  for (let seed = 0; seed < 8; seed++) orders.add(await order(spec, seed));
  assert.ok(orders.size >= 4, `8 seeds gave only ${orders.size} orders`);
});

test('a dependency nobody declared works by luck in the usual order and fails under some seed, again with that seed', async () => {
  // zapp:compile reads what lib:install makes but does not say so.
  const spec: GraphSpec = { 'lib:install': [], 'zapp:compile': [] };
  const run = async (shuffle?: number) => {
    const fakes = new FakeTasks({
      check: (key, ended) => {
        if (key === 'zapp:compile' && !ended.has('lib:install')) throw new TaskFailed('zapp:compile: lib.h: No such file or directory');
      },
    });
    return (await fakeQueue(spec, fakes, { jobs: 1, shuffle }).queue.run(new AbortController().signal)).failed;
  };
  assert.is(await run(), 0, 'without shuffling, zapp:compile happens to start after lib:install');
  let found: number | undefined;
  for (let seed = 0; seed < 32 && found === undefined; seed++) if (await run(seed)) found = seed;
  assert.ok(found !== undefined, 'no seed of 32 started zapp:compile first');
  assert.is(await run(found), 1, `seed ${found} replays the failure`);
});

test('seeds are whole numbers from 0 to 2^32 - 1', () => {
  const table: [string, number | undefined][] = [
    ['0', 0],
    ['42', 42],
    ['4294967295', 4294967295],
    ['4294967296', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    ['', undefined],
    [' 7', undefined],
    ['0x10', undefined],
  ];
  for (const [text, seed] of table) assert.is(parseShuffleSeed(text), seed, text);
});

test.run();
