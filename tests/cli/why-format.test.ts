import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatChange, formatReason, formatTask } from '../../core/cli/why.js';
import type { Change } from '../../core/signature/explain.js';

// `strata why` words the records of core/signature/ and nothing else: each
// kind of record, table-driven, in the words users (and docs/cache.md) see.

const AT = { file: '/l/recipes/a.yaml', line: 4, column: 3 };
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

const CHANGES: [Change, string][] = [
  [
    { kind: 'variable', name: 'MSG', old: 'hello', new: 'hello again', location: AT },
    'variable MSG changed: "hello" → "hello again" (set at /l/recipes/a.yaml:4:3)',
  ],
  [{ kind: 'variable', name: 'A', old: '1', new: '2' }, 'variable A changed: "1" → "2"'],
  [{ kind: 'variable', name: 'GONE', old: 'x' }, 'variable GONE is no longer used (was "x")'],
  [{ kind: 'variable', name: 'NEW', new: 'y', location: AT }, 'variable NEW is new: "y" (set at /l/recipes/a.yaml:4:3)'],
  [{ kind: 'variable', name: 'E', old: '', new: 'x' }, 'variable E changed: "" → "x"'],
  [{ kind: 'file', name: 'p.patch', old: A, new: B }, `file p.patch changed: sha256 ${'a'.repeat(12)}… → ${'b'.repeat(12)}…`],
  [{ kind: 'file', name: 'q.patch', new: B }, `file q.patch is new: "${B}"`],
  [{ kind: 'settings', old: 's1', new: 's2' }, 'its settings changed: "s1" → "s2"'],
  [{ kind: 'dependency', name: 'x:install', old: 'o1', new: 'o2' }, 'dependency x:install changed'],
  [{ kind: 'dependency', name: 'y:install', old: 'o1' }, 'dependency y:install is no longer used (was "o1")'],
  [{ kind: 'format', old: 1, new: 2 }, 'it was built by a Strata with another task format (1; now 2)'],
];

for (const [change, words] of CHANGES) test(`words: ${words.slice(0, 60)}`, () => assert.is(formatChange(change), words));

test('long values are cut, keeping them one line', () => {
  const line = formatChange({ kind: 'variable', name: 'V', old: 'x'.repeat(500), new: 'y' });
  assert.ok(line.length < 160, line);
  assert.match(line, /^variable V changed: "x+…" → "y"$/);
});

test('settled tasks are one line; the others list their reasons under "must run again"', () => {
  assert.is(formatTask('a:configure', { kind: 'up-to-date' }), 'a:configure: up to date\n');
  assert.is(formatTask('a:install', { kind: 'restore' }), 'a:install: will be restored from the cache (its inputs match a cached output)\n');
  assert.is(formatTask('a:compile', { kind: 'never-ran' }), 'a:compile: has not run in this build folder yet\n');
  assert.is(formatTask('a:compile', { kind: 'changed', changes: [] }), 'a:compile must run again:\n  must run: its output is not recorded\n');
  assert.is(
    formatTask('app:configure', {
      kind: 'waits',
      waitsFor: ['app:prepare_sysroot'],
      causes: [
        { task: 'liba:compile', reason: { kind: 'changed', changes: [CHANGES[1][0], CHANGES[2][0]] } },
        { task: 'libb:compile', reason: { kind: 'never-ran' } },
      ],
    }),
    'app:configure must run again:\n' +
      '  waits for app:prepare_sysroot, which must run again\n' +
      '  because liba:compile: variable A changed: "1" → "2"; variable GONE is no longer used (was "x")\n' +
      '  because libb:compile: has not run in this build folder yet\n',
  );
  assert.equal(formatReason({ kind: 'changed', changes: [CHANGES[8][0]] }), ['dependency x:install changed']);
});

test.run();
