import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRank } from '../../core/scheduler/ready-order.js';
import { chains, fakeQueue, FakeTasks, MemoryStamps, type GraphSpec } from './fake-tasks.js';

// Every task starts only after everything it waits for has ended, whatever
// the graph, the -j and the order among ready tasks; and every task's
// states follow the table, published in order.

/** A random-looking DAG of `n` tasks, each waiting for up to three earlier ones, from a seed. */
function dag(n: number, seed: number): GraphSpec {
  const spec: Record<string, string[]> = {};
  for (let i = 0; i < n; i++) {
    const deps = new Set<string>();
    for (let k = 0; k < 3 && i > 0; k++) if (seededRank(seed, `${i}/${k}`) % 3) deps.add(`t${seededRank(seed + 1, `${i}/${k}`) % i}:do`);
    spec[`t${i}:do`] = [...deps];
  }
  return spec;
}

const GRAPHS: [string, GraphSpec][] = [
  ['a diamond', { 'a:do': [], 'b:do': ['a:do'], 'c:do': ['a:do'], 'd:do': ['b:do', 'c:do'] }],
  ['three chains', chains(3, 4)],
  [
    'a wide fan-in',
    { ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`leaf${i}:do`, []])), 'top:do': Array.from({ length: 8 }, (_, i) => `leaf${i}:do`) },
  ],
  ['a random DAG', dag(60, 7)],
  ['another random DAG', dag(60, 1234)],
];

for (const [name, spec] of GRAPHS) {
  for (const jobs of [1, 2, 4]) {
    for (const shuffle of [undefined, 3]) {
      test(`${name}, -j ${jobs}${shuffle === undefined ? '' : `, shuffled`}: dependencies end before their dependents start`, async () => {
        const late: string[] = [];
        const fakes = new FakeTasks({ check: (key, ended) => late.push(...spec[key].filter((d) => !ended.has(d)).map((d) => `${key} before ${d}`)) });
        const { queue } = fakeQueue(spec, fakes, { jobs, shuffle });
        const summary = await queue.run(new AbortController().signal);
        assert.equal(late, []);
        assert.is(fakes.started.length, Object.keys(spec).length, 'every task ran once');
        assert.is(new Set(fakes.started).size, fakes.started.length);
        assert.equal({ ran: summary.ran, failed: summary.failed, cancelled: summary.cancelled }, { ran: Object.keys(spec).length, failed: 0, cancelled: 0 });
      });
    }
  }
}

test('a cold run takes every task pending → ready → starting → running → succeeded; reporters see running and succeeded', async () => {
  const { queue, transitions } = fakeQueue(chains(2, 2), new FakeTasks(), { jobs: 2 });
  const events: string[] = [];
  queue.events.subscribe((e) => events.push(`${e.key} ${e.state}`));
  await queue.run(new AbortController().signal);
  for (const key of Object.keys(chains(2, 2))) {
    const mine = transitions.filter((t) => t.key === key);
    assert.equal(
      mine.map((t) => `${t.from}>${t.to}`),
      ['pending>ready', 'ready>starting', 'starting>running', 'running>succeeded'],
      key,
    );
    assert.equal(
      events.filter((e) => e.startsWith(`${key} `)),
      [`${key} running`, `${key} succeeded`],
    );
  }
});

test('a second run with the same inputs runs nothing, and needs only the targets', async () => {
  const stamps = new MemoryStamps();
  await fakeQueue(chains(2, 3), new FakeTasks(), {}, stamps).queue.run(new AbortController().signal);
  const again = fakeQueue(chains(2, 3), new FakeTasks(), {}, stamps);
  const summary = await again.queue.run(new AbortController().signal);
  assert.equal(again.fakes.started, []);
  assert.equal({ ran: summary.ran, cached: summary.cached, skipped: summary.skipped }, { ran: 0, cached: 2, skipped: 4 });
});

test('changed inputs run that task and what waits for it, nothing before it', async () => {
  const stamps = new MemoryStamps();
  await fakeQueue(chains(1, 4), new FakeTasks(), {}, stamps).queue.run(new AbortController().signal);
  const fakes = new FakeTasks();
  fakes.inputsVersion.set('c0:t1', 2);
  const summary = await fakeQueue(chains(1, 4), fakes, {}, stamps).queue.run(new AbortController().signal);
  assert.equal(fakes.started, ['c0:t1', 'c0:t2', 'c0:t3']);
  assert.equal({ ran: summary.ran, cached: summary.cached }, { ran: 3, cached: 1 });
});

test.run();
