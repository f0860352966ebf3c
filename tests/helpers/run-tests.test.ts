import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, scratchDirs, writeTree } from './strata.js';

// scripts/run-tests.mjs, the command CI reads: its closing line counts
// every file's tests, a file that dies without uvu's summary is a failure,
// files run `--jobs` at a time, and the files that share the suite's task
// cache run one after another, in name order (the first compiles, the
// others restore). Each case is a throw-away tree of compiled "tests" that
// print uvu's summary themselves, so the runner is tried, not uvu.

const tempDir = scratchDirs(test);
const RUNNER = join(ROOT, 'scripts/run-tests.mjs');

/** A compiled test file that runs `body` (may await), then prints uvu's summary of `passed` of `total`. */
const compiled = (body: string, total = 1, passed = total) =>
  `const fs = require('node:fs');\nconst sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n(async () => {\n${body}\nconsole.log('  Total:     ${total}\\n  Passed:    ${passed}\\n  Skipped:   0');\nprocess.exit(${passed === total ? 0 : 1});\n})();\n`;

/** A tree with each test given as compiled body; its source imports the shared cache when `cache` is set. */
function tree(tests: Record<string, { body: string; total?: number; passed?: number; cache?: boolean }>): string {
  const dir = tempDir('strata-run-tests-');
  const files: Record<string, string> = { 'dist/package.json': '{"type":"commonjs"}\n' };
  for (const [name, t] of Object.entries(tests)) {
    files[`dist/tests/t/${name}.test.js`] = compiled(t.body.replaceAll('DIR', JSON.stringify(dir)), t.total, t.passed);
    // The name is split here so that this file itself is not taken for one that shares the cache.
    files[`tests/t/${name}.test.ts`] = t.cache ? `import { TEST_${'CACHE'} } from '../helpers/strata.js';\n` : '// a test\n';
  }
  writeTree(dir, files);
  return dir;
}

function run(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [RUNNER, 'tests/t', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, STRATA_TEST_JOBS: '' } });
  const lines = r.stdout.trim().split('\n');
  return { status: r.status, last: lines[lines.length - 1], out: r.stdout + r.stderr };
}

// Waits until another file has written its mark: only possible when both run at once.
const rendezvous = (me: string, other: string) =>
  `fs.writeFileSync(DIR + '/${me}', '');\nfor (let i = 0; !fs.existsSync(DIR + '/${other}'); i++) { if (i > 200) { console.log('never met ${other}'); process.exit(1); } await sleep(50); }`;
// Holds a lock while it runs: fails if another cache user holds it (they overlapped).
const exclusive = (me: string) =>
  `let fd; try { fd = fs.openSync(DIR + '/lock', 'wx'); } catch { console.log('overlapped'); process.exit(1); }\nfs.appendFileSync(DIR + '/order', '${me}\\n');\nawait sleep(300);\nfs.closeSync(fd); fs.unlinkSync(DIR + '/lock');`;

const cases: { name: string; tests: Parameters<typeof tree>[0]; args?: string[]; status: number; last: string; check?: (dir: string, out: string) => void }[] =
  [
    {
      name: 'counts every file and ends with the line CI reads',
      tests: { a: { body: '', total: 3 }, b: { body: '', total: 2, passed: 1 } },
      status: 1,
      last: '4 passed, 1 failed',
    },
    {
      name: 'a file that dies before uvu prints its summary is a failure',
      tests: { a: { body: 'process.exit(3);' }, b: { body: '' } },
      status: 1,
      last: '1 passed, 1 failed',
      check: (_, out) => assert.match(out, 'no uvu summary (exit 3)'),
    },
    {
      name: 'files that do not share the cache run at once with --jobs 2',
      tests: { a: { body: rendezvous('a', 'b') }, b: { body: rendezvous('b', 'a') } },
      args: ['--jobs', '2'],
      status: 0,
      last: '2 passed, 0 failed',
    },
    {
      name: 'files that share the cache run one at a time, in name order, beside the others',
      tests: {
        c1: { body: exclusive('c1'), cache: true },
        c2: { body: exclusive('c2'), cache: true },
        c3: { body: exclusive('c3'), cache: true },
        other: { body: rendezvous('other', 'order') },
      },
      args: ['--jobs', '3'],
      status: 0,
      last: '4 passed, 0 failed',
    },
    {
      name: '--jobs 1 runs one file at a time',
      tests: { a: { body: exclusive('a') }, b: { body: exclusive('b') } },
      args: ['--jobs', '1'],
      status: 0,
      last: '2 passed, 0 failed',
    },
    {
      name: 'no test files is a failure, not a green run',
      tests: {},
      status: 1,
      last: '0 passed, 1 failed',
    },
  ];

for (const c of cases) {
  test(c.name, () => {
    const dir = tree(c.tests);
    const r = run(dir, ...(c.args ?? []));
    assert.is(r.last, c.last, r.out);
    assert.is(r.status, c.status, r.out);
    c.check?.(dir, r.out);
  });
}

test('the cache lane keeps name order', () => {
  const dir = tree({ b: { body: exclusive('b'), cache: true }, a: { body: exclusive('a'), cache: true }, c: { body: exclusive('c'), cache: true } });
  const r = run(dir, '--jobs', '4');
  assert.is(r.last, '3 passed, 0 failed', r.out);
  assert.is(spawnSync('cat', [join(dir, 'order')], { encoding: 'utf8' }).stdout, 'a\nb\nc\n');
});

test('a test file named by its source or compiled path runs alone; a missing one is a failure', () => {
  const dir = tree({ a: { body: '', total: 2 }, b: { body: '', total: 3 } });
  const table: [string[], string][] = [
    [['tests/t/b.test.ts'], '3 passed, 0 failed'],
    [['tests/t/a.test.js', 'tests/t/b.test.ts'], '5 passed, 0 failed'],
    [['tests/t/nope.test.ts'], '0 passed, 1 failed'],
  ];
  for (const [args, last] of table) {
    const r = spawnSync(process.execPath, [RUNNER, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, STRATA_TEST_JOBS: '' } });
    const lines = r.stdout.trim().split('\n');
    assert.is(lines[lines.length - 1], last, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
});

for (const bad of ['0', '-1', 'two', '1.5']) {
  test(`--jobs ${bad} is refused with what to write`, () => {
    const r = run(tree({ a: { body: '' } }), '--jobs', bad);
    assert.is(r.status, 2);
    assert.match(r.out, `needs a positive whole number, not '${bad}'`);
  });
}

test.run();
