import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { criticalPathLengths } from '../../core/graph/critical-path.js';
import { graphOf } from '../scheduler/fake-tasks.js';

// The critical-path length of a task: itself plus the longest chain of
// tasks that wait for it, counted in tasks or in weights (durations).

const SPEC = {
  'fetch:do': [],
  'compile:do': ['fetch:do'],
  'docs:do': ['fetch:do'],
  'install:do': ['compile:do'],
  'image:do': ['install:do', 'docs:do'],
  'alone:do': [],
};

test('counted in tasks', () => {
  assert.equal(Object.fromEntries(criticalPathLengths(graphOf(SPEC))), {
    'image:do': 1,
    'alone:do': 1,
    'install:do': 2,
    'docs:do': 2,
    'compile:do': 3,
    'fetch:do': 4,
  });
});

test('weighted: the slow side branch becomes the critical one', () => {
  const weights: Record<string, number> = { 'fetch:do': 2, 'compile:do': 10, 'docs:do': 100, 'install:do': 1, 'image:do': 5, 'alone:do': 50 };
  const lengths = criticalPathLengths(graphOf(SPEC), (k) => weights[k]);
  assert.equal(Object.fromEntries(lengths), {
    'image:do': 5,
    'alone:do': 50,
    'install:do': 6,
    'docs:do': 105,
    'compile:do': 16,
    'fetch:do': 107,
  });
});

test('a long chain is linear to compute (no blow-up on many paths)', () => {
  // 60 layers of two tasks each, every task waiting for both of the layer before: 2^60 paths.
  const spec: Record<string, string[]> = {};
  for (let i = 0; i < 60; i++) for (const s of ['a', 'b']) spec[`${s}${i}:do`] = i ? [`a${i - 1}:do`, `b${i - 1}:do`] : [];
  const lengths = criticalPathLengths(graphOf(spec));
  assert.is(lengths.get('a0:do'), 60);
  assert.is(lengths.get('b59:do'), 1);
});

test.run();
